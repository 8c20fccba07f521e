/**
 * What a confined command runs under inside its sandbox, as a perl program (the subreaper's perl:
 * no module loaded, a few milliseconds). Arguments: the grace in milliseconds, then the command's
 * argv. It is the sandbox's pid 1 (bwrap `--as-pid-1`): bwrap's pid namespace ends every process
 * in it when it exits, so nothing outlives a sandboxed run; this says what was ended, which the
 * proof must name as it names what the subreaper ends unconfined. As pid 1 no process in the
 * sandbox can kill it: the kernel drops a signal its own namespace sends it unless it handles that
 * signal (it handles SIGTERM and SIGINT only, as a stop).
 *
 * Before starting the command it lists the processes already in the namespace (the `allow`
 * network's socat bridge): those are omk's, never reported, nor are their children (the bridge
 * forks one per connection, which may still be closing). It forks the command as the leader of a
 * process group of its own (fd 3, the report, closed in it: a copy opened close-on-exec says
 * `!exec<TAB>errno` if the exec fails) and waits for it, reaping the orphans the namespace hands
 * it. SIGTERM and SIGINT (omk stopping the run: a timeout, an abort) go to the command's group,
 * which then has until `grace` after to end: the command, then the rest of its group (a test
 * runner's workers, a `sleep`). At the grace what is left of the group is SIGKILLed, and written
 * as `!group<TAB>pid<TAB>cwd<TAB>command`: omk, which knows whether it stopped the run, does not
 * count those as left when it did (stopping a run is not leaving processes), and does when the
 * command signalled the init itself (no way to hide what its group left). A process that left the
 * group (`setsid`) is reported either way.
 *
 * Once the command has ended (and, stopped, its group), every process of the namespace still
 * alive (not a zombie) that was not there before is written to fd 3 as `pid<TAB>cwd<TAB>command`
 * (the pid as the sandbox numbers it, its working directory as `/proc` shows it, tabs and newlines
 * in either as spaces), in one write that starts on a line of its own (a partial line a process
 * wrote to the pipe cannot swallow the first entry), closed by `!end`. Then it exits with the
 * command's code (a signal as `128 + signal`, as a shell says it: pid 1 cannot send itself the
 * signal), and the namespace ends what it listed.
 */
export const PERL_SANDBOX_INIT = String.raw`
use strict;
sub WNOHANG () { 1 }
my ($grace_ms, @cmd) = @ARGV;
my $grace = $grace_ms / 1000;
my $report; open($report, '>&=', 3) or undef $report;
sub stat_of {
  open(my $f, '<', "/proc/$_[0]/stat") or return (); my $s = <$f>; close($f); return () unless defined $s;
  return split(' ', substr($s, rindex($s, ')') + 2));
}
sub alive {
  my @p; opendir(my $d, '/proc') or return ();
  for my $e (readdir $d) {
    next unless $e =~ /^\d+$/; next if $e == 1 || $e == $$;
    my @f = stat_of($e); next unless @f;
    push(@p, $e + 0) unless $f[0] eq 'Z' || $f[0] eq 'X';
  }
  return @p;
}
sub ppid { my @f = stat_of($_[0]); return $f[1] // 0 }
sub pgrp { my @f = stat_of($_[0]); return $f[2] // 0 }
sub now { open(my $u, '<', '/proc/uptime') or return time; my $l = <$u>; close($u); return (split ' ', $l)[0] }
sub entry {
  my $p = shift;
  my $line = ''; if (open(my $f, '<', "/proc/$p/cmdline")) { local $/; $line = <$f> // ''; close($f) }
  $line = join(' ', grep { $_ ne '' } split(/\0/, $line)); $line =~ s/[\t\n]/ /g;
  my $cwd = readlink("/proc/$p/cwd") // ''; $cwd =~ s/[\t\n]/ /g;
  return "$p\t$cwd\t$line";
}
my ($pid, %group);
sub end_group { for my $p (grep { $_ != $pid && pgrp($_) == $pid } alive()) { $group{$p} //= entry($p) } kill('-KILL', $pid) }
my %before = map { $_ => 1 } alive();
$pid = fork();
if (!defined $pid) { print STDERR "omk sandbox: fork: $!\n"; exit 126 }
if ($pid == 0) {
  setpgrp(0, 0);
  my $err; if ($report) { open($err, '>&', $report); close($report) }
  exec { $cmd[0] } @cmd;
  if ($err) { print $err "!exec\t" . ($! + 0) . "\n"; close($err) } else { print STDERR "omk sandbox: $cmd[0]: $!\n" }
  exit 127;
}
setpgrp($pid, $pid);
my ($status, $stop, $blocking);
my $on = sub { kill("-$_[0]", $pid); $stop //= now() + $grace; die "omk-stop\n" if $blocking };
$SIG{TERM} = $SIG{INT} = $on;
until (defined $status) {
  if (!defined $stop) {
    my $r = eval { $blocking = 1; my $w = waitpid(-1, 0); $blocking = 0; $w };
    my $saved = $?; $blocking = 0;
    if (defined $r) { $status = $saved if $r == $pid || $r == -1; next }
    my $w = waitpid($pid, WNOHANG);
    if ($w == $pid) { $status = $? } elsif ($w == -1) { $status = $saved }
    next;
  }
  my $w = waitpid(-1, WNOHANG);
  if ($w == $pid) { $status = $?; last }
  next if $w > 0;
  end_group() if now() >= $stop;
  select(undef, undef, undef, 0.01);
}
if (defined $stop) {
  my $killed;
  for (;;) {
    1 while waitpid(-1, WNOHANG) > 0;
    last unless grep { pgrp($_) == $pid } alive();
    if (now() >= $stop) { last if defined $killed && now() >= $killed + 0.3; if (!defined $killed) { end_group(); $killed = now() } }
    select(undef, undef, undef, 0.01);
  }
}
if ($report) {
  my $out = "\n";
  for my $p (sort { $a <=> $b } grep { !$before{$_} && $_ != $pid && !$before{ppid($_)} && !(defined $stop && pgrp($_) == $pid) } alive()) {
    $out .= entry($p) . "\n";
  }
  $out .= "!group\t$group{$_}\n" for sort { $a <=> $b } keys %group;
  syswrite($report, "$out!end\n"); close($report);
}
my $sig = $status & 127;
exit($sig ? 128 + $sig : $status >> 8);
`;
