/**
 * Environment that makes git send `Authorization: basic base64(x-access-token:<token>)` to the
 * fake (or GitHub) through `http.extraheader`, without the token ever appearing in a URL or in a
 * config file: GIT_CONFIG_COUNT/KEY/VALUE are read by git ≥ 2.31.
 */
export function gitAuthEnv(token: string): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraheader',
    GIT_CONFIG_VALUE_0: `Authorization: basic ${basic}`,
  };
}
