import type { CheckRunRecord } from '../forge/port.js';
import type { Proof } from '../proof/schema.js';
import { CHECK_CONCLUSIONS } from './check-run.js';

export interface ProofCheckInput {
  /** Every `omk/proof` run on the head, from any app, newest first. */
  runs: readonly CheckRunRecord[];
  /** The app omk's own check runs are created as. */
  appId: number;
  /** The proof the evidence gives now. */
  rebuilt: Proof;
  headSha: string;
  /** The digest of the proof block the PR body shows (checked against the evidence apart); null: none. */
  shownDigest: string | null;
}

const TITLE_STATUS = /^omk proof: ([a-z_]+)/;
const SUMMARY_DIGEST = /digest <code>(sha256:[0-9a-f]{64})<\/code>/;

const short = (sha: string) => sha.slice(0, 12);

/**
 * Why the `omk/proof` check run on the head does not vouch for the rebuilt proof, or nothing.
 * The run is the one record of the verdict that only omk's identity can write: what the state
 * (the state branch, proof.json, the PR body) says is checked against it. Only runs created by
 * omk's app count; the newest of them must be completed, conclude as the rebuilt proof's status
 * does, name that status in its title and show the digest of the proof the PR body shows.
 */
export function proofCheckProblems(input: ProofCheckInput): string[] {
  const { runs, appId, rebuilt, headSha } = input;
  const own = runs.filter((run) => run.appId === appId);
  const latest = own[0];
  if (latest === undefined) {
    const other = runs[0];
    if (other === undefined) {
      return [`no omk/proof check run on ${short(headSha)}: omk publishes one when it delivers the PR`];
    }
    const by = other.appId === null ? 'no app' : `app ${other.appSlug ?? '?'} (id ${other.appId})`;
    return [
      `the omk/proof check run on ${short(headSha)} was created by ${by}, not by the app omk runs as (id ${appId})`,
    ];
  }
  const problems: string[] = [];
  const expected = CHECK_CONCLUSIONS[rebuilt.status];
  const concluded = latest.status === 'completed' ? (latest.conclusion ?? 'none') : latest.status;
  if (concluded !== expected) {
    problems.push(
      `the omk/proof check run on ${short(headSha)} concludes ${concluded} where the proof rebuilt from the evidence is ${rebuilt.status} (${expected})`,
    );
  }
  const titled = TITLE_STATUS.exec(latest.title)?.[1] ?? null;
  if (titled !== rebuilt.status) {
    problems.push(
      `the omk/proof check run on ${short(headSha)} says ${titled ?? 'no status'} where the proof rebuilt from the evidence is ${rebuilt.status}`,
    );
  }
  const digest = SUMMARY_DIGEST.exec(latest.summary)?.[1] ?? null;
  if (digest === null) {
    problems.push(`the omk/proof check run on ${short(headSha)} names no proof digest`);
  } else if (input.shownDigest !== null && digest !== input.shownDigest) {
    problems.push(
      `the omk/proof check run on ${short(headSha)} shows proof ${digest} where the PR body shows ${input.shownDigest}`,
    );
  }
  return problems;
}
