import type { OmkConfig } from '../config/schema.js';
import { isOmkError } from '../errors.js';
import { DEFAULT_NETWORK } from '../sandbox/config.js';
import { networkRequestOf, sandboxFromEnv } from '../sandbox/decide.js';
import { checkAgent } from './check-agent.js';
import { checkGates } from './check-gates.js';
import { checkGitVersion, checkRepository, checkWorktrees } from './check-git.js';
import { checkGithubToken, checkStateRoot } from './check-host.js';
import { checkSandbox } from './check-sandbox.js';
import type { DoctorCheck, DoctorInput, DoctorProbes, DoctorReport, DoctorWords } from './types.js';

/**
 * Checks what a goal will need, in the order a run needs it. Checks that depend on a repository
 * are left out when there is none: the repository failure already says what to do.
 */
export async function runDoctor(input: DoctorInput, probes: DoctorProbes): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  checks.push(await guarded('git', 'git', () => checkGitVersion(probes), input.words));
  const repo = await checkRepository(input.repoPath, probes, input.words).catch((error: unknown) => ({
    check: crashed('repository', 'repository', error, input.words),
    root: null,
  }));
  checks.push(repo.check);
  const root = repo.root;
  if (root !== null) {
    checks.push(await guarded('worktrees', 'git worktrees', () => checkWorktrees(root, probes), input.words));
  }
  const { check: configCheck, config } = await checkConfig(root ?? input.repoPath, probes, input.words);
  checks.push(configCheck);
  checks.push(
    await guarded(
      'agent',
      'agent',
      () => checkAgent(input, probes, { root: root ?? input.repoPath, config }),
      input.words,
    ),
  );
  if (root !== null && config !== null) {
    const gates = await checkGates(root, config, probes).catch((error: unknown) => [
      crashed('gates', 'gates', error, input.words),
    ]);
    checks.push(...gates);
  }
  checks.push(
    await guarded(
      'state-root',
      'state root',
      () => checkStateRoot(input.stateRoot, probes, input.words),
      input.words,
    ),
  );
  checks.push(
    await guarded(
      'sandbox',
      'sandbox',
      () =>
        checkSandbox(
          sandboxFromEnv(input.env) ?? config?.sandbox.mode ?? 'auto',
          probes,
          config === null ? { policy: DEFAULT_NETWORK } : networkRequestOf(config),
          input.words,
          input.agent?.trim() || config?.agents.default || undefined,
        ),
      input.words,
    ),
  );
  const token = checkGithubToken(input.env, input.words);
  if (token !== null) checks.push(token);
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

async function checkConfig(
  root: string,
  probes: DoctorProbes,
  words: DoctorWords,
): Promise<{ check: DoctorCheck; config: OmkConfig | null }> {
  const base = { id: 'config', title: 'config' };
  try {
    const loaded = await probes.loadConfig(root);
    const detail =
      loaded.path === null ? 'no .omk/config.yml: defaults apply' : `${loaded.path} loaded and valid`;
    return { config: loaded.config, check: { ...base, status: 'ok', detail } };
  } catch (error) {
    if (!isOmkError(error)) return { config: null, check: crashed(base.id, base.title, error, words) };
    const check: DoctorCheck = { ...base, status: 'fail', detail: error.message };
    if (error.hint !== undefined) check.fix = error.hint;
    return { config: null, check };
  }
}

async function guarded(
  id: string,
  title: string,
  run: () => Promise<DoctorCheck>,
  words: DoctorWords,
): Promise<DoctorCheck> {
  try {
    return await run();
  } catch (error) {
    return crashed(id, title, error, words);
  }
}

/** A probe that threw unexpectedly still yields a line, so one broken check never hides the rest. */
function crashed(id: string, title: string, error: unknown, words: DoctorWords): DoctorCheck {
  const message = error instanceof Error ? error.message : String(error);
  const hint = isOmkError(error) ? error.hint : undefined;
  return {
    id,
    title,
    status: 'fail',
    detail: `the check could not run: ${message}`,
    fix: hint ?? `this may be a bug in omk; please report it with the output of ${words.jsonReport}`,
  };
}
