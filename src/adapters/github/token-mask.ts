// What a front door masks in its logs. Its own module, free of runtime imports: the Action's entry
// masks the token with it before the runtime (zod, Octokit) is even loaded.

/** The token and the base64 form the push header carries. */
export function maskValues(token: string): string[] {
  return [token, basicCredential(token)];
}

/** The credential of git's `AUTHORIZATION: basic` header for a token. */
export function basicCredential(token: string): string {
  return Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
}
