import { PERL_EXIT_AS_STATUS } from '../process/perl-exit-status.js';

/**
 * What a confined command runs under inside its sandbox, as a perl program (the subreaper's perl:
 * no module loaded, a few milliseconds). bwrap's pid namespace ends every process in it when the
 * command ends, so nothing outlives a sandboxed run; this says what was ended, which the proof
 * must name as it names what the subreaper ends unconfined.
 *
 * Before starting the command it lists the processes already in the namespace (bwrap's own init,
 * pid 1, and the `allow` network's socat bridge): those are omk's, never reported, nor are their
 * children (the bridge forks one per connection, which may still be closing). It forks the
 * command (fd 3, the report, closed in it: a copy opened close-on-exec says `!exec<TAB>errno` if
 * the exec fails) and waits for it. Once it has ended, every process of the namespace still alive
 * (not a zombie) that was not there before is written to fd 3 as `pid<TAB>cwd<TAB>command` (the
 * pid as the sandbox numbers it, its working directory as `/proc` shows it, tabs and newlines in
 * either as spaces), in one write that starts on a line of its own (a partial line a process wrote
 * to the pipe cannot swallow the first entry), closed by `!end`. Then it exits as the command did
 * (its code, or the same signal), and the namespace ends what it listed.
 */
export const PERL_SANDBOX_INIT = String.raw`
use strict;
my @cmd = @ARGV;
my $report; open($report, '>&=', 3) or undef $report;
sub alive {
  my @p; opendir(my $d, '/proc') or return ();
  for my $e (readdir $d) {
    next unless $e =~ /^\d+$/; next if $e == 1 || $e == $$;
    open(my $f, '<', "/proc/$e/stat") or next; my $s = <$f>; close($f); next unless defined $s;
    my $state = substr($s, rindex($s, ')') + 2, 1);
    push(@p, $e + 0) unless $state eq 'Z' || $state eq 'X';
  }
  return @p;
}
sub ppid {
  open(my $f, '<', "/proc/$_[0]/stat") or return 0; my $s = <$f>; close($f); return 0 unless defined $s;
  my @f = split(' ', substr($s, rindex($s, ')') + 2)); return $f[1] // 0;
}
my %before = map { $_ => 1 } alive();
my $pid = fork();
if (!defined $pid) { print STDERR "omk sandbox: fork: $!\n"; exit 126 }
if ($pid == 0) {
  my $err; if ($report) { open($err, '>&', $report); close($report) }
  exec { $cmd[0] } @cmd;
  if ($err) { print $err "!exec\t" . ($! + 0) . "\n"; close($err) } else { print STDERR "omk sandbox: $cmd[0]: $!\n" }
  exit 127;
}
$SIG{TERM} = $SIG{INT} = sub { kill($_[0], $pid) };
my $w; do { $w = waitpid($pid, 0) } until $w == $pid || $w == -1;
my $status = $?;
if ($report) {
  my $out = "\n";
  for my $p (sort { $a <=> $b } grep { !$before{$_} && $_ != $pid && !$before{ppid($_)} } alive()) {
    my $line = ''; if (open(my $f, '<', "/proc/$p/cmdline")) { local $/; $line = <$f> // ''; close($f) }
    $line = join(' ', grep { $_ ne '' } split(/\0/, $line)); $line =~ s/[\t\n]/ /g;
    my $cwd = readlink("/proc/$p/cwd") // ''; $cwd =~ s/[\t\n]/ /g;
    $out .= "$p\t$cwd\t$line\n";
  }
  syswrite($report, "$out!end\n"); close($report);
}
${PERL_EXIT_AS_STATUS}
`;
