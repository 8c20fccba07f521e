import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Agent, AgentRunInput, AgentRunResult } from '../../runtime/agents/port.js';
import { isWithin, normalizeRepoPath } from '../../runtime/graph/paths.js';
import { demoPlan } from './demo-plan.js';

export const DEMO_AGENT_LABEL = 'demo agent (built-in, deterministic, offline — not a real AI)';

const FIX_MARKER = 'omk-demo-fix:';
/** The task id of a planning run (agent-planner.ts). */
const PLAN_TASK_ID = 'plan';
const APPEND_MARKER = 'omk-demo-append:';
// Generated trees are never the subject of a demo and can be huge.
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 20_000;

interface Edit {
  file: string;
  line: number;
  kind: 'fix' | 'append';
  text: string;
}

/**
 * Shows the whole pipeline without a model or network: it applies instructions written as
 * markers in the repository, and only in files the slice may write, so a demo can also show a
 * marker outside the write set being left alone. Asked to plan (the planner's task), it answers
 * with a task graph made by fixed rules from the prompt (demo-plan.ts).
 */
export function createDemoAgent(): Agent {
  return { name: 'demo', label: DEMO_AGENT_LABEL, run: runDemo };
}

async function runDemo(input: AgentRunInput): Promise<AgentRunResult> {
  const started = performance.now();
  const dir = resolve(input.artifactsDir);
  await mkdir(dir, { recursive: true });
  const transcript = join(dir, `transcript-${input.attempt}.log`);
  const result = (outcome: AgentRunResult['outcome'], summary: string): AgentRunResult => ({
    outcome,
    exitCode: outcome === 'succeeded' ? 0 : null,
    durationMs: Math.round(performance.now() - started),
    usage: { tokens: 0, usd: 0 },
    transcript,
    followUps: [],
    summary,
  });
  if (input.signal?.aborted) {
    await writeFile(transcript, 'demo agent: cancelled before it started\n');
    return result('cancelled', 'demo agent run was cancelled');
  }
  if (input.taskId === PLAN_TASK_ID && input.task.ownerRole === 'planner') {
    const plan = demoPlan(input.prompt);
    if (!plan.ok) {
      await writeFile(transcript, `demo agent: planning, attempt ${input.attempt}\n${plan.why}\n`);
      return result('failed', plan.why);
    }
    const summary = `planned ${plan.reply.slices.length} slice(s)`;
    await writeFile(
      transcript,
      `demo agent: planning, attempt ${input.attempt}\n${JSON.stringify(plan.reply)}\n${summary}\n`,
    );
    return result('succeeded', summary);
  }

  const scope = input.task.writes.flatMap((raw) => {
    const check = normalizeRepoPath(raw);
    return check.ok ? [check.path] : [];
  });
  const edits: Edit[] = [];
  const outside: string[] = [];
  for (const file of await listFiles(input.cwd)) {
    const inScope = scope.some((container) => isWithin(file, container));
    const path = join(input.cwd, file);
    const content = await readText(path);
    if (content === null || !(content.includes(FIX_MARKER) || content.includes(APPEND_MARKER))) continue;
    if (!inScope) {
      outside.push(file);
      continue;
    }
    const applied = applyMarkers(content, file);
    if (applied.edits.length === 0) continue;
    await writeFile(path, applied.content);
    edits.push(...applied.edits);
  }

  const lines = [
    `demo agent: task ${input.taskId}, attempt ${input.attempt}`,
    `write set: ${scope.join(', ')}`,
  ];
  for (const edit of edits) lines.push(`${edit.kind} ${edit.file}:${edit.line} -> ${edit.text}`);
  for (const file of outside)
    lines.push(`skipped ${file}: markers outside the write set were left untouched`);
  const files = new Set(edits.map((e) => e.file)).size;
  const summary =
    edits.length === 0
      ? 'no demo markers in scope'
      : `applied ${edits.length} demo edit${edits.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  lines.push(summary);
  await writeFile(transcript, `${lines.join('\n')}\n`);
  return result('succeeded', summary);
}

/**
 * Pure: applies every marker in one file, top to bottom. A fix keeps the indentation of the line
 * it replaces, so a marker written as a comment above indented code yields indented code.
 */
export function applyMarkers(content: string, file: string): { content: string; edits: Edit[] } {
  const eol = content.includes('\r\n') ? '\r\n' : '\n';
  const endsWithEol = content.endsWith(eol);
  const lines = content.split(eol);
  if (endsWithEol) lines.pop();
  const out: string[] = [];
  const appended: string[] = [];
  const edits: Edit[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const fix = markerText(line, FIX_MARKER);
    if (fix !== null) {
      edits.push({ file, line: i + 1, kind: 'fix', text: fix });
      const next = lines[i + 1];
      if (next !== undefined) {
        out.push(`${/^\s*/.exec(next)?.[0] ?? ''}${fix}`);
        i += 1;
      }
      continue;
    }
    const append = markerText(line, APPEND_MARKER);
    if (append !== null) {
      edits.push({ file, line: i + 1, kind: 'append', text: append });
      appended.push(append);
      continue;
    }
    out.push(line);
  }
  if (edits.length === 0) return { content, edits };
  const all = [...out, ...appended];
  return { content: all.join(eol) + (endsWithEol || appended.length > 0 ? eol : ''), edits };
}

/** The text after the marker; a block-comment closer ends the marker, not the text. */
function markerText(line: string, marker: string): string | null {
  const at = line.indexOf(marker);
  if (at === -1) return null;
  return line
    .slice(at + marker.length)
    .replace(/\s*(?:-->|\*\/)\s*$/, '')
    .trim();
}

/** Repository-relative '/' paths of regular files; symlinks are not followed out of the worktree. */
async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries = await readdir(join(root, relDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= MAX_FILES) return;
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(rel);
      } else if (entry.isFile()) {
        files.push(rel);
      }
    }
  };
  await walk('');
  return files;
}

/** Text content, or null for binary and oversized files (never edited). */
async function readText(path: string): Promise<string | null> {
  const info = await lstat(path);
  if (!info.isFile() || info.size > MAX_FILE_BYTES) return null;
  const buffer = await readFile(path);
  return buffer.includes(0) ? null : buffer.toString('utf8');
}
