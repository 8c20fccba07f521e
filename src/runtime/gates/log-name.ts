/** The file name of a gate's full log under artifacts/gates/, for the head SHA it ran on. */
export function gateLogName(sha: string, gateName: string): string {
  return `${sha.slice(0, 12)}-${safeGateName(gateName)}.log`;
}

/** A gate's name as a file-name part: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
export function safeGateName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
