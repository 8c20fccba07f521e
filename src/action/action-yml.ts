import { actionYmlText } from './action-yml-text.js';

/**
 * The defaults action.yml gives its inputs, but empty ones and expressions (github-token's
 * `${{ github.token }}`, which only the runner evaluates). The runner applies them to an input left
 * out of `with:`; the step applies the same ones to an input given blank (`${{ inputs.x }}` unset).
 *
 * Read by the file's layout (a top-level `inputs:`, each input at two spaces, its `default:` at
 * four, plain or quoted on one line), not by a YAML parser: parsing the whole file would cost every
 * step tens of milliseconds before its first check. test/action/metadata.test.ts holds this equal
 * to what a YAML parser reads.
 */
export function inputDefaults(): Readonly<Record<string, string>> {
  const defaults: Record<string, string> = {};
  let section = '';
  let input = '';
  for (const line of actionYmlText().split('\n')) {
    const top = /^([a-z]+):/.exec(line);
    if (top?.[1] !== undefined) section = top[1];
    const name = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line)?.[1];
    if (name !== undefined) input = name;
    const value = /^ {4}default: (.*)$/.exec(line)?.[1];
    if (section !== 'inputs' || value === undefined) continue;
    const text = scalar(value.trim());
    if (text !== '' && !text.includes('${{')) defaults[input] = text;
  }
  return defaults;
}

/** A one-line YAML scalar: 'single-quoted' ('' is a quote), "double-quoted" (JSON's escapes), or plain. */
function scalar(text: string): string {
  if (/^'.*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(text)) return JSON.parse(text) as string;
  return text;
}
