import { parse } from 'yaml';
import { z } from 'zod';
// action.yml itself, as text: vite reads `?raw` imports, and scripts/build.mjs embeds the file in
// the bundle, so dist/ never looks for action.yml on disk at run time.
import actionYml from '../../action.yml?raw';

const inputsOnly = z.object({ inputs: z.record(z.string(), z.object({ default: z.string() })) });

/**
 * The defaults action.yml gives its inputs, but empty ones and expressions (github-token's
 * `${{ github.token }}`, which only the runner evaluates). The runner applies them to an input left
 * out of `with:`; the step applies the same ones to an input given empty (`${{ inputs.x }}` unset).
 */
export function inputDefaults(): Readonly<Record<string, string>> {
  const { inputs } = inputsOnly.parse(parse(actionYml));
  return Object.fromEntries(
    Object.entries(inputs)
      .map(([name, input]) => [name, input.default] as const)
      .filter(([, value]) => value !== '' && !value.includes('${{')),
  );
}
