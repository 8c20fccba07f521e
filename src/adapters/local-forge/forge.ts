import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ForgeError } from '../../runtime/errors.js';
import type {
  BranchProtection,
  CheckRunRef,
  CheckRunSpec,
  CommitChecks,
  Forge,
  MergeMethod,
  MergeOutcome,
  PullRequest,
  PullRequestSpec,
  PushSpec,
  ReviewSummary,
} from '../../runtime/forge/port.js';
import { advanceBranch } from '../git/advance-branch.js';
import { commitAt, mergesCleanly } from '../git/commits.js';
import { DEFAULT_IDENTITY } from '../git/identity.js';
import { LocalForgeStore, type LocalPull } from './store.js';

/**
 * A forge without a network: the repository itself holds the branches, PRs and check runs are
 * JSON records under the state root, and merging updates the local base branch (fast-forward, or
 * a merge commit, never touching a dirty checkout). The CLI and the demo use it.
 */
export function createLocalForge(options: { repoRoot: string; stateRoot: string }): Forge {
  const key = createHash('sha256').update(options.repoRoot).digest('hex').slice(0, 16);
  const store = new LocalForgeStore(join(options.stateRoot, 'forge', key));
  const repoRoot = options.repoRoot;
  // '' for a missing branch, as a pull request whose branch is gone shows it.
  const sha = async (ref: string) => (await commitAt(repoRoot, ref)) ?? '';

  const view = async (pull: LocalPull): Promise<PullRequest> => {
    const merged = pull.state === 'merged' && pull.mergedSha ? pull.mergedSha : null;
    // A merged PR keeps the head it was merged at, as on GitHub (older records: the merge commit).
    const headSha = merged ? (pull.mergedHeadSha ?? merged) : await sha(`refs/heads/${pull.head}`);
    const baseSha = await sha(`refs/heads/${pull.base}`);
    const mergeable =
      pull.state === 'open' && headSha && baseSha ? await mergesCleanly(repoRoot, baseSha, headSha) : null;
    return {
      number: pull.number,
      url: `local://${repoRoot}/pull/${pull.number}`,
      title: pull.title,
      body: pull.body,
      head: pull.head,
      headSha,
      base: pull.base,
      baseSha,
      draft: pull.draft,
      state: pull.state,
      labels: [...pull.labels],
      mergeable,
      mergeSha: merged,
    };
  };
  const pullByNumber = async (number: number) => {
    const pull = (await store.read()).pulls.find((p) => p.number === number);
    if (!pull) throw new ForgeError(`Local pull request #${number} does not exist.`);
    return pull;
  };

  return {
    kind: 'local',
    repo: { owner: 'local', name: key },
    async push(spec: PushSpec) {
      // The repository is the forge: the branch must already exist locally at that commit.
      const current = await sha(`refs/heads/${spec.branch}`);
      if (current !== spec.sha) {
        throw new ForgeError(`Local branch ${spec.branch} is at ${current || 'nothing'}, not ${spec.sha}.`);
      }
    },
    async findPullRequest(head) {
      const pull = (await store.read()).pulls.find((p) => p.head === head && p.state === 'open');
      return pull ? view(pull) : null;
    },
    async createPullRequest(spec: PullRequestSpec) {
      if (!(await sha(`refs/heads/${spec.head}`)))
        throw new ForgeError(`Branch ${spec.head} does not exist.`);
      if (!(await sha(`refs/heads/${spec.base}`)))
        throw new ForgeError(`Base branch ${spec.base} does not exist.`);
      const pull = await store.update((data) => {
        const existing = data.pulls.find((p) => p.head === spec.head && p.state === 'open');
        if (existing) {
          existing.title = spec.title;
          existing.body = spec.body;
          return { ...existing, reused: true };
        }
        const created: LocalPull = {
          number: data.pulls.length + 1,
          title: spec.title,
          body: spec.body,
          head: spec.head,
          base: spec.base,
          draft: spec.draft,
          state: 'open',
          labels: [...spec.labels],
          mergedSha: null,
          mergedHeadSha: null,
        };
        data.pulls.push(created);
        return created;
      });
      return { ...(await view(pull)), reused: 'reused' in pull };
    },
    async updatePullRequest(number, change) {
      await pullByNumber(number);
      const pull = await store.update((data) => {
        const found = data.pulls.find((p) => p.number === number);
        if (!found) throw new ForgeError(`Local pull request #${number} does not exist.`);
        Object.assign(found, Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)));
        return { ...found };
      });
      return view(pull);
    },
    getPullRequest: async (number) => view(await pullByNumber(number)),
    async markReadyForReview(number) {
      await pullByNumber(number);
      const pull = await store.update((data) => {
        const found = data.pulls.find((p) => p.number === number);
        if (!found) throw new ForgeError(`Local pull request #${number} does not exist.`);
        if (found.state === 'open') found.draft = false;
        return { ...found };
      });
      return view(pull);
    },
    async addLabels(number, labels) {
      await store.update((data) => {
        const found = data.pulls.find((p) => p.number === number);
        if (found) found.labels = [...new Set([...found.labels, ...labels])];
      });
    },
    async findCheckRun(commit, name, externalId): Promise<CheckRunRef | null> {
      const run = (await store.read()).checkRuns.find(
        (r) => r.headSha === commit && r.name === name && r.externalId === externalId,
      );
      return run ? { id: run.id, url: `local://${repoRoot}/check-runs/${run.id}` } : null;
    },
    async removeLabel(number, label) {
      await store.update((data) => {
        const found = data.pulls.find((p) => p.number === number);
        if (found) found.labels = found.labels.filter((l) => l !== label);
      });
    },
    async upsertCheckRun(spec: CheckRunSpec, id: number | null): Promise<CheckRunRef> {
      return store.update((data) => {
        const existing = data.checkRuns.find((run) =>
          id !== null ? run.id === id : run.externalId === spec.externalId,
        );
        const record = {
          id: existing?.id ?? data.checkRuns.length + 1,
          name: spec.name,
          headSha: spec.headSha,
          conclusion: spec.conclusion,
          title: spec.title,
          summary: spec.summary,
          externalId: spec.externalId,
        };
        if (existing) Object.assign(existing, record);
        else data.checkRuns.push(record);
        return { id: record.id, url: `local://${repoRoot}/check-runs/${record.id}` };
      });
    },
    // No apps here: every check run is omk's own, and the merge judges the proof itself.
    checkAppId: null,
    async checks(commit): Promise<CommitChecks> {
      const runs = (await store.read()).checkRuns.filter((run) => run.headSha === commit);
      return {
        states: runs.map((run) => ({ name: run.name, state: run.conclusion, source: 'check_run' })),
        runs: runs
          .map((run) => ({
            id: run.id,
            name: run.name,
            appId: null,
            appSlug: null,
            status: 'completed',
            conclusion: run.conclusion,
            title: run.title,
            summary: run.summary,
          }))
          .sort((a, b) => b.id - a.id),
      };
    },
    branchProtection: async (): Promise<BranchProtection | null> => null,
    reviews: async (): Promise<ReviewSummary> => ({ approvals: 0, changesRequested: false }),
    async merge(number: number, expected: string, method: MergeMethod): Promise<MergeOutcome> {
      const pull = await view(await pullByNumber(number));
      if (pull.headSha !== expected) {
        return {
          merged: false,
          reason: 'head_moved',
          detail: `head is ${pull.headSha}, expected ${expected}`,
        };
      }
      const merged = await advanceBranch({
        repoRoot,
        branch: pull.base,
        from: pull.baseSha,
        head: pull.headSha,
        method,
        message: `${pull.title} (#${pull.number})`,
        identity: DEFAULT_IDENTITY,
      });
      if (!merged.merged) return merged;
      await store.update((data) => {
        const found = data.pulls.find((p) => p.number === number);
        if (found) {
          found.state = 'merged';
          found.mergedSha = merged.sha;
          found.mergedHeadSha = pull.headSha;
        }
      });
      return merged;
    },
  };
}
