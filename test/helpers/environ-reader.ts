/**
 * A shell-script agent that reads what an unsandboxed agent can: /proc/<pid>/environ of each of its
 * ancestors (readable for processes of the same user, PTRACE_MODE_READ, which Yama's ptrace_scope 1
 * does not restrict; it shows the block a process was started with, whatever it later did to
 * process.env). It walks up from itself rather than scanning every process, since other tests'
 * omk processes hold the same canaries. In `out` it writes `ancestors` (per readable ancestor, 1
 * when its block has the variable `marker`, so a test can tell it reached omk's process) and
 * `found` (each variable of `names` it read, reversed: what it could send anywhere, past the
 * transcript scrub). Then it runs `edit` (a harmless change, so the slice has a diff).
 */
export function environReaderAgent(
  out: string,
  options: { marker: string; names: readonly string[]; edit: string },
): string {
  const names = options.names.join('|');
  return `#!/bin/sh
pid=$$
: > "${out}/ancestors"
: > "${out}/found"
while [ "$pid" -gt 1 ]; do
  if tr '\\0' '\\n' < /proc/$pid/environ > "${out}/env" 2>/dev/null; then
    grep -c '^${options.marker}=' "${out}/env" >> "${out}/ancestors"
    grep -E '^(${names})=' "${out}/env" | rev >> "${out}/found"
  fi
  pid=$(sed 's/.*) //' /proc/$pid/stat | cut -d' ' -f2)
done
rm -f "${out}/env"
${options.edit}
`;
}

/** What the agent wrote to `found`, read back the right way round. */
export const reversed = (text: string) => [...text].reverse().join('');
