/**
 * A perl sub both of omk's supervisors (the subreaper, the sandbox's init) use: `ending($pid)` is
 * true when the process can run none of its code again: gone, or each of its threads a zombie,
 * exiting (the kernel's `PF_EXITING`) or holding a pending SIGKILL (a fatal signal reaches every
 * thread as one). A process seen so as its command ends was ending with it (a test runner's worker
 * the runner killed on its way out: freeing a large heap takes a while, and meanwhile `/proc`
 * shows it without a command line or a directory), not left behind. Its first thread alone does
 * not say it: a process whose first thread has ended (a zombie) still runs its other threads.
 * Fields of `stat` after the command's `)`: 0 the state, 6 the flags, 28 the pending signals.
 */
export const PERL_ENDING = String.raw`sub ending {
  my $p = shift; opendir(my $d, "/proc/$p/task") or return 1;
  for my $t (readdir $d) {
    next unless $t =~ /^\d+$/;
    open(my $f, '<', "/proc/$p/task/$t/stat") or next; my $s = <$f>; close($f); next unless defined $s;
    my @x = split(' ', substr($s, rindex($s, ')') + 2));
    return 0 unless $x[0] eq 'Z' || $x[0] eq 'X' || ($x[6] & 4) || ($x[28] & 256);
  }
  return 1;
}`;
