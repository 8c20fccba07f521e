import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './command.js';
import { SUBCOMMANDS, type Subcommand, usageBlock } from './usage.js';

/** docs/bot.md and README.md hold what a new user copies: the commands table and example comments. */
const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

/** A subcommand's usage line as `/omk help` shows it, unwrapped onto one line. */
function usageLine(sub: Subcommand): string {
  const lines = usageBlock(sub).split('\n').slice(1, -2);
  return lines.map((line) => line.trim()).join(' ');
}

/** The `/omk` lines of the fenced text blocks of a Markdown file. */
function exampleLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```text\n([\s\S]*?)^```/gm)].map((found) => found[1] ?? '');
  return blocks.flatMap((block) => block.split('\n').filter((line) => line.startsWith('/omk ')));
}

describe('the bot as its docs show it', () => {
  it("docs/bot.md's commands table spells each command as /omk help does", async () => {
    const doc = await read('docs/bot.md');
    const cells = [...doc.matchAll(/^\| `(\/omk goal [^`]*?)` \|/gm)].map((found) =>
      (found[1] ?? '').replaceAll('\\|', '|'),
    );
    // One row for two commands: `/omk goal pause|resume [GOAL_ID]`.
    const expanded = cells.flatMap((cell) =>
      cell.startsWith('/omk goal pause|resume')
        ? ['pause', 'resume'].map((sub) => cell.replace('pause|resume', sub))
        : [cell],
    );
    for (const sub of SUBCOMMANDS) expect(expanded, sub).toContain(usageLine(sub));
  });

  it('every example comment of README.md and docs/bot.md is a command the bot reads', async () => {
    const lines = [...exampleLines(await read('README.md')), ...exampleLines(await read('docs/bot.md'))];
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const parsed = parseCommandLine(line, 'abcdef012345');
      expect(parsed, line).toMatchObject({ ok: true });
      if (!parsed.ok || parsed.command.kind !== 'run') continue;
      // A gated merge never merges a draft PR (the merge is blocked by 'draft'), and the bot's
      // default delivery is draft-pr: an example that merges gated asks for auto-pr.
      if (parsed.command.request.mergePolicy === 'gated')
        expect(parsed.command.request.policy, line).toBe('auto-pr');
    }
  });
});
