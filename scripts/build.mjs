// Bundles the front doors into dist/ with esbuild. `--check` builds into a temp dir and fails when
// the committed dist/ differs from a fresh build (the Action ships dist/, so it must be current).
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// One esbuild run per group of entries that share options.
const targets = [
  { entryPoints: { cli: 'src/cli/main.ts' }, minify: false },
  // The Probot app (`probot run ./dist/bot.js`); probot itself stays a runtime dependency.
  { entryPoints: { bot: 'src/bot/main.ts' }, minify: false },
  // The runner's entry (action.yml `main: dist/index.cjs`): CommonJS, so node prints the token's
  // mask before it starts its ES module loader (~30% of `node -e 0` by itself). It bundles only the
  // masking and import()s dist/action/main.js, built below, which stays out of this bundle.
  {
    entryPoints: { index: 'src/action/index.ts' },
    minify: true,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: ['./action/main.js'],
    banner: {},
  },
  // The Action (dist/action/main.js, and dist/post.js for its post step) is loaded fresh by every job that uses it: minified, it stays
  // under 1 MB and parses faster (zod alone is ~750 KB unminified, its locales half of it).
  // keepNames: error classes name themselves (OmkError sets this.name from the class). splitting:
  // what the runner imports after masking the token (zod, Octokit, the runtime) goes to a chunk
  // under dist/action/, so the mask is printed before that megabyte is even parsed.
  {
    entryPoints: { 'action/main': 'src/action/main.ts', post: 'src/action/post/index.ts' },
    minify: true,
    keepNames: true,
    splitting: true,
    chunkNames: 'action/[name]-[hash]',
  },
];

// @actions/core imports its OIDC client (and an HTTP stack under it: undici, tunnel) for
// getIDToken, which omk never calls. Declaring those modules free of side effects lets esbuild
// drop them when unused: the Action bundle shrinks by ~800 KB and starts faster. Were getIDToken ever
// used, they would be bundled as before.
const unusedUnlessImported = {
  name: 'actions-core-oidc-side-effect-free',
  setup(build) {
    build.onResolve({ filter: /^@actions\/http-client(\/|$)|^\.\/oidc-utils\.js$/ }, async (args) => {
      if (args.pluginData === 'resolved') return undefined;
      const resolved = await build.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        importer: args.importer,
        pluginData: 'resolved',
      });
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, sideEffects: false };
    });
  },
};

// @actions/core imports node's crypto module for one randomUUID() (the delimiter of a multi-line
// file command). Loading it costs the Action's first line a few milliseconds; this shim defers it
// to the global Web Crypto, which node loads on first use.
const lazyCryptoForActionsCore = {
  name: 'actions-core-lazy-crypto',
  setup(build) {
    build.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
      /[\\/]@actions[\\/]core[\\/]/.test(args.importer)
        ? { path: 'lazy-crypto', namespace: 'omk-lazy-crypto' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'omk-lazy-crypto' }, () => ({
      contents: 'export const randomUUID = () => globalThis.crypto.randomUUID();',
      loader: 'js',
    }));
  },
};

// src/action/action-yml-text.ts reads action.yml beside the sources; in the bundle the file's text
// takes its place, so the Action takes its inputs' defaults from action.yml (src/action/action-yml.ts)
// without looking for the file at run time, wherever its chunks sit.
const embedActionYml = {
  name: 'embed-action-yml',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]action[\\/]action-yml-text\.ts$/ }, async () => {
      const text = await readFile(join(root, 'action.yml'), 'utf8');
      return { contents: `export const actionYmlText = () => ${JSON.stringify(text)};`, loader: 'js' };
    });
  },
};

async function bundle(outdir) {
  for (const target of targets) await bundleTarget(outdir, target);
}

async function bundleTarget(
  outdir,
  {
    entryPoints,
    minify,
    keepNames = false,
    splitting = false,
    chunkNames,
    format = 'esm',
    outExtension,
    external,
    banner = {
      // CommonJS dependencies inside an ESM bundle still call require().
      js: "import { createRequire as __omkCreateRequire } from 'node:module';\nconst require = __omkCreateRequire(import.meta.url);",
    },
  },
) {
  await build({
    absWorkingDir: root,
    entryPoints,
    minify,
    keepNames,
    splitting,
    ...(chunkNames === undefined ? {} : { chunkNames }),
    ...(outExtension === undefined ? {} : { outExtension }),
    ...(external === undefined ? {} : { external }),
    outdir,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [unusedUnlessImported, lazyCryptoForActionsCore, embedActionYml],
    banner,
  });
}

async function listFiles(dir, base = dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.name.startsWith('.build-')) continue;
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else out.push(relative(base, full));
  }
  return out.sort();
}

async function check() {
  const tmp = await mkdtemp(join(tmpdir(), 'omk-dist-'));
  try {
    await bundle(tmp);
    const fresh = await listFiles(tmp);
    const committed = await listFiles(join(root, 'dist'));
    const problems = [];
    for (const f of new Set([...fresh, ...committed])) {
      if (!fresh.includes(f)) problems.push(`dist/${f} is not produced by the build any more`);
      else if (!committed.includes(f)) problems.push(`dist/${f} is missing`);
      else if (!(await readFile(join(tmp, f))).equals(await readFile(join(root, 'dist', f))))
        problems.push(`dist/${f} differs from a fresh build`);
    }
    if (problems.length > 0) {
      console.error(`check-dist: ${problems.join('; ')}.\nRun 'npm run build' and commit dist/.`);
      process.exit(1);
    }
    console.log(`check-dist: dist/ matches a fresh build (${fresh.length} files).`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// Builds into a temp dir, then renames each file into dist/: a process running dist/ meanwhile
// (a test, a parallel build) never sees a missing or half-written file.
async function buildInPlace() {
  const dist = join(root, 'dist');
  await mkdir(dist, { recursive: true });
  const tmp = await mkdtemp(join(dist, '.build-'));
  try {
    await bundle(tmp);
    const fresh = await listFiles(tmp);
    for (const f of fresh) {
      await mkdir(dirname(join(dist, f)), { recursive: true });
      await rename(join(tmp, f), join(dist, f));
    }
    for (const f of await listFiles(dist)) {
      if (!fresh.includes(f) && !f.startsWith('.build-')) await rm(join(dist, f));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) await check();
else await buildInPlace();
