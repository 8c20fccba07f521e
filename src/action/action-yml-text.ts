import { readFileSync } from 'node:fs';

/**
 * action.yml's text. From the sources (tests, @github/local-action) it is read beside them; the
 * bundle never reads it: scripts/build.mjs puts the file's text in place of this module, so dist/
 * does not depend on where its chunks sit next to action.yml.
 */
export function actionYmlText(): string {
  return readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
}
