import { describe, expect, it } from 'vitest';
import { github, useHttpMock } from '../../../test/helpers/http-mock.js';
import type { Annotation, CheckRunSpec } from '../../runtime/forge/port.js';
import { checkRunState, SUMMARY_LIMIT, statusState, truncate } from './checks.js';
import { testForge } from './test-forge.js';

useHttpMock();

const forge = testForge;

const SHA = 'c'.repeat(40);

function annotation(i: number): Annotation {
  return {
    path: `src/f${i}.ts`,
    startLine: i + 1,
    endLine: i + 1,
    level: 'warning',
    title: `t${i}`,
    message: `m${i}`,
  };
}

const wire = (i: number) => ({
  path: `src/f${i}.ts`,
  start_line: i + 1,
  end_line: i + 1,
  annotation_level: 'warning',
  title: `t${i}`,
  message: `m${i}`,
});

function checkSpec(annotations: Annotation[] = [annotation(0)], summary = '## proof'): CheckRunSpec {
  return {
    name: 'omk/proof',
    headSha: SHA,
    conclusion: 'success',
    title: 'omk proof: ready',
    summary,
    annotations,
    externalId: `g1:s1:${SHA}`,
  };
}

const runResponse = (id: number) => ({ id, html_url: `https://github.com/octo/demo/runs/${id}`, url: 'api' });

describe('upsertCheckRun', () => {
  it('creates a completed check run in one POST', async () => {
    github()
      .post('/repos/octo/demo/check-runs', {
        name: 'omk/proof',
        head_sha: SHA,
        external_id: `g1:s1:${SHA}`,
        status: 'completed',
        conclusion: 'success',
        output: { title: 'omk proof: ready', summary: '## proof', annotations: [wire(0)] },
      })
      .reply(201, runResponse(11));
    expect(await forge().upsertCheckRun(checkSpec(), null)).toEqual({
      id: 11,
      url: 'https://github.com/octo/demo/runs/11',
    });
  });

  it('updates the known run in one PATCH (no head_sha: a run cannot move)', async () => {
    github()
      .patch('/repos/octo/demo/check-runs/12', {
        name: 'omk/proof',
        external_id: `g1:s1:${SHA}`,
        status: 'completed',
        conclusion: 'success',
        output: { title: 'omk proof: ready', summary: '## proof' },
      })
      .reply(200, runResponse(12));
    expect((await forge().upsertCheckRun(checkSpec([]), 12)).id).toBe(12);
  });

  it('sends annotations 50 per request: create with 50, then PATCH the rest in batches', async () => {
    const all = Array.from({ length: 120 }, (_, i) => annotation(i));
    const batch = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => wire(from + i));
    const output = (from: number, to: number) => ({
      title: 'omk proof: ready',
      summary: '## proof',
      annotations: batch(from, to),
    });
    github()
      .post(
        '/repos/octo/demo/check-runs',
        (body) => JSON.stringify(body.output) === JSON.stringify(output(0, 50)),
      )
      .reply(201, runResponse(13))
      .patch('/repos/octo/demo/check-runs/13', { output: output(50, 100) })
      .reply(200, runResponse(13))
      .patch('/repos/octo/demo/check-runs/13', { output: output(100, 120) })
      .reply(200, runResponse(13));
    expect((await forge().upsertCheckRun(checkSpec(all), null)).id).toBe(13);
  });

  it('truncates a summary over 65,535 characters with a visible marker', async () => {
    let sent = '';
    github()
      .post('/repos/octo/demo/check-runs', (body) => {
        sent = body.output.summary;
        return true;
      })
      .reply(201, runResponse(14));
    await forge().upsertCheckRun(checkSpec([], 'x'.repeat(70_000)), null);
    expect(sent.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(sent).toMatch(/truncated by omk \(70000 characters in full\)$/);
  });

  it('never splits a surrogate pair when truncating', () => {
    const loneHigh = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/;
    // Slide the emoji across the cut point so one case lands exactly on it.
    for (let k = 0; k < 40; k += 1) {
      const cut = truncate(`${'a'.repeat(k)}😀${'b'.repeat(100)}`, 60);
      expect(cut.length).toBeLessThanOrEqual(60);
      expect(cut).not.toMatch(loneHigh);
    }
  });
});

describe('checks', () => {
  const run = (
    id: number,
    name: string,
    status: string,
    conclusion: string | null,
    at = '2026-01-01T00:00:00Z',
  ) => ({
    id,
    name,
    status,
    conclusion,
    started_at: at,
    completed_at: status === 'completed' ? at : null,
  });
  const commitStatus = (id: number, context: string, state: string, at: string) => ({
    id,
    context,
    state,
    created_at: at,
    updated_at: at,
  });

  it('merges paginated check runs and commit statuses, the most recent entry per name winning', async () => {
    const next = `<https://api.github.com/repositories/1/commits/${SHA}/check-runs?per_page=100&page=2>; rel="next"`;
    github()
      .get(`/repos/octo/demo/commits/${SHA}/check-runs`)
      .query({ per_page: '100' })
      .reply(
        200,
        {
          total_count: 3,
          check_runs: [run(2, 'build', 'completed', 'failure'), run(5, 'test', 'in_progress', null)],
        },
        { link: next },
      )
      .get(`/repositories/1/commits/${SHA}/check-runs`)
      .query({ per_page: '100', page: '2' })
      .reply(200, { total_count: 3, check_runs: [run(7, 'build', 'completed', 'success')] })
      .get(`/repos/octo/demo/commits/${SHA}/status`)
      .query({ per_page: '100' })
      .reply(200, {
        state: 'failure',
        statuses: [
          commitStatus(1, 'ci/legacy', 'error', '2026-01-01T00:00:00Z'),
          commitStatus(3, 'deploy', 'pending', '2026-01-01T00:00:00Z'),
          commitStatus(4, 'deploy', 'success', '2026-01-02T00:00:00Z'),
        ],
      });
    const { states } = await forge().checks(SHA);
    expect(states).toEqual([
      { name: 'build', state: 'success', source: 'check_run' },
      { name: 'test', state: 'pending', source: 'check_run' },
      { name: 'ci/legacy', state: 'failure', source: 'status' },
      { name: 'deploy', state: 'success', source: 'status' },
    ]);
  });

  it('normalizes every check run conclusion and status state', () => {
    expect(checkRunState('queued', null)).toBe('pending');
    expect(checkRunState('in_progress', null)).toBe('pending');
    expect(checkRunState('completed', 'success')).toBe('success');
    for (const c of ['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']) {
      expect(checkRunState('completed', c)).toBe('failure');
    }
    expect(checkRunState('completed', 'neutral')).toBe('neutral');
    expect(checkRunState('completed', 'skipped')).toBe('skipped');
    expect(checkRunState('completed', 'something_new')).toBe('failure');
    expect(['pending', 'success', 'failure', 'error'].map(statusState)).toEqual([
      'pending',
      'success',
      'failure',
      'failure',
    ]);
  });
});

describe('findCheckRun', () => {
  it('finds the run by name and external id on the head SHA in one call', async () => {
    github()
      .get(`/repos/octo/demo/commits/${SHA}/check-runs`)
      .query({ check_name: 'omk/proof', per_page: '100' })
      .reply(200, {
        total_count: 3,
        check_runs: [
          { id: 11, external_id: 'g:s1:other', html_url: 'https://github.com/octo/demo/runs/11', url: 'u11' },
          {
            id: 12,
            external_id: `g:s1:${SHA}`,
            html_url: 'https://github.com/octo/demo/runs/12',
            url: 'u12',
          },
          {
            id: 13,
            external_id: `g:s1:${SHA}`,
            html_url: 'https://github.com/octo/demo/runs/13',
            url: 'u13',
          },
        ],
      });
    expect(await forge().findCheckRun(SHA, 'omk/proof', `g:s1:${SHA}`)).toEqual({
      id: 13,
      url: 'https://github.com/octo/demo/runs/13',
    });
  });

  it('returns null when no run has the external id', async () => {
    github()
      .get(`/repos/octo/demo/commits/${SHA}/check-runs`)
      .query({ check_name: 'omk/proof', per_page: '100' })
      .reply(200, { total_count: 0, check_runs: [] });
    expect(await forge().findCheckRun(SHA, 'omk/proof', 'g:s1:x')).toBeNull();
  });
});
