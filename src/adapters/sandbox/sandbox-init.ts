import { PERL_ENDING } from '../process/perl-ending.js';

/**
 * What a confined command runs under inside its sandbox, as a perl program (the subreaper's perl:
 * no module loaded, a few milliseconds). Arguments: the grace in milliseconds, the `allow`
 * network's bridge (socat's path, the port, the proxy's socket; socat's path empty for none),
 * then the command's argv. It is the sandbox's pid 1 (bwrap `--as-pid-1`): bwrap's pid namespace
 * ends every process in it when it exits, so nothing outlives a sandboxed run; this says what was
 * ended, which the proof must name as it names what the subreaper ends unconfined. As pid 1 no
 * process in the sandbox can kill it: the kernel drops a signal its own namespace sends it unless
 * it handles that signal (it handles SIGTERM and SIGINT only, as a stop). omk's own signals are
 * dropped the same way until it handles them, so its first act is to handle them and say
 * `!ready` on fd 3: omk holds a stop (a timeout, an abort) that comes before that line and sends
 * it then, so a stop during bwrap's set-up is never lost.
 *
 * It starts the bridge (socat listening on the sandbox's loopback, relaying to the proxy's unix
 * socket) and waits until it answers; a stop meanwhile ends the run there. It lists the processes
 * then in the namespace (the bridge): those are omk's, never reported, nor are their children (the
 * bridge forks one per connection, which may still be closing). A stop that came before the
 * command starts ends the run without starting it. It forks the command as the leader of a
 * process group of its own (fd 3, the report, closed in it: a copy opened close-on-exec says
 * `!exec<TAB>errno` if the exec fails) and waits for it, reaping the orphans the namespace hands
 * it. SIGTERM and SIGINT (omk stopping the run) go to the command's group, which then has until
 * `grace` after to end: the command, then the rest of its group (a test runner's workers, a
 * `sleep`). At the grace what is left of the group is SIGKILLed, and written as
 * `!group<TAB>pid<TAB>cwd<TAB>command`: omk, which knows whether it stopped the run, does not
 * count those as left when it did (stopping a run is not leaving processes), and does when the
 * command signalled the init itself (no way to hide what its group left). A process that left the
 * group (`setsid`) is reported either way.
 *
 * Once the command has ended (and, stopped, its group), every process of the namespace still
 * alive (not ending with it: `PERL_ENDING`) that was not there before is written to fd 3 as `pid<TAB>cwd<TAB>command`
 * (the pid as the sandbox numbers it, its working directory as `/proc` shows it, tabs and newlines
 * in either as spaces), in one write that starts on a line of its own (a partial line a process
 * wrote to the pipe cannot swallow the first entry), then `!signal<TAB>number` if a signal ended
 * the command (or the run was stopped before the command started: the stop's signal), closed by
 * `!end`. Then it exits with the command's code (a signal as `128 + signal`, as a shell says it:
 * pid 1 cannot send itself the signal; the `!signal` line tells that from a command exiting with
 * such a code), and the namespace ends what it listed.
 */
export const PERL_SANDBOX_INIT = String.raw`
use strict;
sub WNOHANG () { 1 }
my ($grace_ms, $socat, @cmd) = @ARGV;
my ($port, $socket) = $socat eq '' ? () : splice(@cmd, 0, 2);
my $grace = $grace_ms / 1000;
# Without the report pipe omk could not tell a run stopped before it started: never run so.
open(my $report, '>&=', 3) or do { print STDERR "omk sandbox: no report pipe on fd 3\n"; exit 126 };
sub stat_of {
  open(my $f, '<', "/proc/$_[0]/stat") or return (); my $s = <$f>; close($f); return () unless defined $s;
  return split(' ', substr($s, rindex($s, ')') + 2));
}
${PERL_ENDING}
sub alive {
  my @p; opendir(my $d, '/proc') or return ();
  for my $e (readdir $d) {
    next unless $e =~ /^\d+$/; next if $e == 1 || $e == $$;
    push(@p, $e + 0) unless ending($e);
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
my ($pid, $execd, $status, $stop, $stopped_by, $told, $blocking, %group);
my $on = sub {
  $stop //= now() + $grace; $stopped_by //= $_[0];
  if ($execd) { kill("-$_[0]", $pid); $told = 1 }
  die "omk-stop\n" if $blocking;
};
$SIG{TERM} = $SIG{INT} = $on;
syswrite($report, "!ready\n") if $report;
sub finish {
  my ($out, $code) = @_;
  if ($report) { syswrite($report, "$out!end\n"); close($report) }
  exit($code);
}
sub spawn_quiet { my $p = fork(); if (defined $p && $p == 0) { close($report) if $report; open(STDERR, '>', '/dev/null'); exec { $_[0] } @_; exit 127 } return $p }
if ($socat ne '') {
  spawn_quiet($socat, "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr", "UNIX-CONNECT:$socket");
  my $up = 0;
  for (my $i = 0; !$up && !defined $stop && $i < 250; $i++) {
    my $probe = spawn_quiet($socat, '-u', 'OPEN:/dev/null', "TCP:127.0.0.1:$port");
    $up = defined $probe && waitpid($probe, 0) == $probe && $? == 0;
    select(undef, undef, undef, 0.02) unless $up || defined $stop;
  }
  if (!$up && !defined $stop) { print STDERR "omk sandbox: the proxy bridge did not start\n"; finish("\n", 125) }
}
my %before = map { $_ => 1 } alive();
sub signum { return $_[0] eq 'INT' ? 2 : 15 }
finish("\n!signal\t" . signum($stopped_by) . "\n", 128 + signum($stopped_by)) if defined $stop;
sub end_group { for my $p (grep { $_ != $pid && pgrp($_) == $pid } alive()) { $group{$p} //= entry($p) } kill('-KILL', $pid) }
# A stop is passed on once the command runs: before its exec the child still has this handler.
pipe(my $exec_r, my $exec_w) or do { print STDERR "omk sandbox: pipe: $!\n"; exit 126 };
$pid = fork();
if (!defined $pid) { print STDERR "omk sandbox: fork: $!\n"; exit 126 }
if ($pid == 0) {
  close($exec_r);
  setpgrp(0, 0);
  my $err; if ($report) { open($err, '>&', $report); close($report) }
  exec { $cmd[0] } @cmd;
  if ($err) { print $err "!exec\t" . ($! + 0) . "\n"; close($err) } else { print STDERR "omk sandbox: $cmd[0]: $!\n" }
  exit 127;
}
setpgrp($pid, $pid);
close($exec_w);
for (;;) { last if defined sysread($exec_r, my $byte, 1) || $! + 0 != 4 }
close($exec_r);
$execd = 1;
if (defined $stop && !$told) { kill("-$stopped_by", $pid); $told = 1 }
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
my $out = "\n";
for my $p (sort { $a <=> $b } grep { !$before{$_} && $_ != $pid && !$before{ppid($_)} && !(defined $stop && pgrp($_) == $pid) } alive()) {
  $out .= entry($p) . "\n";
}
$out .= "!group\t$group{$_}\n" for sort { $a <=> $b } keys %group;
my $sig = $status & 127;
$out .= "!signal\t$sig\n" if $sig;
finish($out, $sig ? 128 + $sig : $status >> 8);
`;
