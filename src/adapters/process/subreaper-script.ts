import { PERL_ENDING } from './perl-ending.js';
import { PERL_EXIT_AS_STATUS } from './perl-exit-status.js';

/**
 * The supervisor every process omk starts runs under on Linux, as a perl program: `perl-base` is
 * Essential on Debian and Ubuntu and starts in a few milliseconds, and `syscall` reaches prctl; it
 * loads no module (POSIX alone costs tens of milliseconds). Arguments: the prctl syscall number of
 * this architecture, the grace in milliseconds, then the command's argv.
 *
 * It makes itself a child subreaper (`PR_SET_CHILD_SUBREAPER`), so every orphan the command leaves
 * (a double fork, `setsid`, whatever its environment or directory) is reparented to it. It does
 * not end with omk (no `PR_SET_PDEATHSIG`): an omk killed mid-run leaves its agent to the next
 * controller, which stops its process group (`goal resume`'s takeover). It forks the command in a
 * process group of its own, as omk would have started it (stdio inherited; fd 3, the report,
 * closed: a copy perl opens close-on-exec says `!exec<TAB>errno` if the exec fails), says its pid
 * (`!pid<TAB>pid`: the group omk records and a takeover kills; then the supervisor, alive, still
 * sweeps) and reaps orphans as they end. SIGTERM and SIGINT are forwarded to the command's group;
 * the group is killed if the command has not ended `grace` after. A stopped command's group then
 * has until that grace (and 300 ms after its SIGKILL) to end: what is still ending from the stop
 * signal was stopped with the command, not left by it. Once the command (and, stopped, its group)
 * has ended, every process still below it gets SIGTERM, a short grace (at most 300 ms),
 * then SIGKILL, and again until it has no child left. It writes `pid<TAB>cwd<TAB>command` of each to fd 3
 * (its working directory when first seen, tabs and newlines in either as spaces), but of none
 * that was already ending when seen (`PERL_ENDING`: killed by the command on its way out),
 * and exits as the command did (its code, or the same signal).
 *
 * Where prctl fails (a seccomp filter, an old kernel) it execs the command itself: today's
 * behaviour, no worse. The probe (`PERL_PROBE`) checks prctl the same way.
 */
export const PERL_SUBREAPER = String.raw`
use strict;
sub WNOHANG () { 1 }
my ($nr, $grace_ms, @cmd) = @ARGV; $nr += 0;
my $grace = $grace_ms / 1000;
my $report; open($report, '>&=', 3) or undef $report;
if (syscall($nr, 36, 1, 0, 0, 0) != 0) {
  if ($report) { syswrite($report, "!pid\t$$\n"); close($report) }
  exec { $cmd[0] } @cmd; print STDERR "omk subreaper: $cmd[0]: $!\n"; exit 127;
}
my $pid = fork();
if (!defined $pid) { print STDERR "omk subreaper: fork: $!\n"; exit 126 }
if ($pid == 0) {
  setpgrp(0, 0);
  my $err; if ($report) { open($err, '>&', $report); close($report) }
  exec { $cmd[0] } @cmd;
  if ($err) { print $err "!exec\t" . ($! + 0) . "\n"; close($err) } else { print STDERR "omk subreaper: $cmd[0]: $!\n" }
  exit 127;
}
setpgrp($pid, $pid);
syswrite($report, "!pid\t$pid\n") if $report;
sub now { open(my $u, '<', '/proc/uptime') or return time; my $l = <$u>; return (split ' ', $l)[0] }
my ($status, $stop, $blocking);
my $on = sub { my $name = shift; kill("-$name", $pid) unless defined $status; $stop //= now() + $grace; die "omk-stop\n" if $blocking };
$SIG{TERM} = $on; $SIG{INT} = $on;
until (defined $status) {
  if (!defined $stop) {
    my $r = eval { $blocking = 1; my $w = waitpid(-1, 0); $blocking = 0; $w };
    my $saved = $?; $blocking = 0;
    if (defined $r) { $status = $saved if $r == $pid; next }
    my $w = waitpid($pid, WNOHANG);
    if ($w == $pid) { $status = $? } elsif ($w == -1) { $status = $saved }
    next;
  }
  my $w = waitpid(-1, WNOHANG);
  if ($w == $pid) { $status = $?; last }
  next if $w > 0;
  kill('-KILL', $pid) if now() >= $stop;
  select(undef, undef, undef, 0.01);
}
# Stopped: what is left of the command's group got the signal with it and is ending (a worker saving
# its work), not left behind. It has until the grace, then the group is killed and has 300 ms to go.
if (defined $stop) {
  my $end = ($stop > now() ? $stop : now()) + 0.3;
  while (kill(0, -$pid)) {
    1 while waitpid(-1, WNOHANG) > 0;
    kill('-KILL', $pid) if now() >= $stop;
    last if now() >= $end;
    select(undef, undef, undef, 0.01);
  }
}
my %left;
${PERL_ENDING}
sub children {
  my @c;
  if (open(my $k, '<', "/proc/$$/task/$$/children")) { my $l = <$k> // ''; close($k); return map { $_ + 0 } split(' ', $l) }
  opendir(my $d, '/proc') or return ();
  for my $e (readdir $d) {
    next unless $e =~ /^\d+$/;
    open(my $f, '<', "/proc/$e/stat") or next; my $s = <$f>; close($f); next unless defined $s;
    my @x = split(' ', substr($s, rindex($s, ')') + 2));
    push(@c, $e + 0) if $x[1] == $$ && $x[0] ne 'Z';
  }
  return @c;
}
sub note {
  for my $c (@_) {
    next if exists $left{$c} || ending($c);
    my $line = ''; if (open(my $f, '<', "/proc/$c/cmdline")) { local $/; $line = <$f> // ''; close($f) }
    $line = join(' ', grep { $_ ne '' } split(/\0/, $line)); $line =~ s/[\t\n]/ /g;
    my $cwd = readlink("/proc/$c/cwd") // ''; $cwd =~ s/[\t\n]/ /g;
    $left{$c} = "$cwd\t$line";
  }
}
my $r0; 1 while ($r0 = waitpid(-1, WNOHANG)) > 0;
my @c = $r0 == -1 ? () : children();
if (@c) {
  note(@c); kill('TERM', @c);
  my $end = now() + ($grace < 0.3 ? $grace : 0.3);
  while (now() < $end) {
    1 while waitpid(-1, WNOHANG) > 0;
    @c = children(); last unless @c; note(@c);
    select(undef, undef, undef, 0.02);
  }
}
for (;;) {
  last if waitpid(-1, WNOHANG) == -1;
  @c = children(); if (@c) { note(@c); kill('KILL', @c) }
  my $r; 1 while ($r = waitpid(-1, WNOHANG)) > 0;
  last if $r == -1;
  select(undef, undef, undef, 0.005);
}
if ($report) { print $report "$_\t$left{$_}\n" for sort { $a <=> $b } keys %left; close($report) }
${PERL_EXIT_AS_STATUS}
`;

/** Whether prctl(PR_SET_CHILD_SUBREAPER) works here: exit 0 if so. */
export const PERL_PROBE = 'exit(syscall($ARGV[0] + 0, 36, 1, 0, 0, 0) == 0 ? 0 : 1)';
