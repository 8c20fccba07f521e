/**
 * The tail both of omk's perl supervisors (the subreaper, the sandbox's init) end with, once the
 * command they ran has ended and its wait status is in `$status`: they exit as the command did,
 * with its code, or by the same signal (the default action restored, then sent to themselves;
 * `128 + signal` only if that signal does not end them, as a shell would report it).
 */
export const PERL_EXIT_AS_STATUS = `my $sig = $status & 127;
exit($status >> 8) unless $sig;
$SIG{TERM} = $SIG{INT} = 'DEFAULT';
kill($sig, $$);
select(undef, undef, undef, 1);
exit(128 + $sig);`;
