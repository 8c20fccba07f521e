interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}
interface Lockfile {
  name?: string;
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/**
 * A package-lock.json for a project whose only devDependency is `name`, cut from a lockfile that
 * already holds it (omk's own): the entries of `name` and everything it depends on, with their
 * resolved URLs and integrity. `npm ci --offline` installs it from the cache that the first
 * lockfile's `npm ci` filled, so a fixture gets real packages from npm without the network (and
 * without the registry metadata a plain `npm install --offline` would need).
 */
export function lockfileSubset(source: Lockfile, project: string, name: string): Lockfile {
  const root = `node_modules/${name}`;
  const entry = source.packages[root];
  if (entry?.version === undefined) throw new Error(`${name} is not in the lockfile`);
  const kept: Record<string, LockEntry> = {};
  const queue = [root];
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    if (kept[key] !== undefined) continue;
    const found = source.packages[key];
    if (found === undefined) continue;
    kept[key] = { ...found, dev: true };
    const present = Object.keys(found.peerDependencies ?? {}).filter(
      (dep) => resolve(source, key, dep) !== null,
    );
    for (const dep of [
      ...Object.keys(found.dependencies ?? {}),
      ...Object.keys(found.optionalDependencies ?? {}),
      ...present,
    ]) {
      const at = resolve(source, key, dep);
      if (at !== null) queue.push(at);
    }
  }
  return {
    name: project,
    lockfileVersion: source.lockfileVersion,
    packages: {
      '': { name: project, devDependencies: { [name]: entry.version } },
      ...Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

/** Where Node would find `dep` from the package at `from`: its own node_modules, then each parent's. */
function resolve(source: Lockfile, from: string, dep: string): string | null {
  let base = from;
  for (;;) {
    const candidate = `${base}/node_modules/${dep}`;
    if (source.packages[candidate] !== undefined) return candidate;
    const cut = base.lastIndexOf('/node_modules/');
    if (cut < 0) break;
    base = base.slice(0, cut);
  }
  return source.packages[`node_modules/${dep}`] === undefined ? null : `node_modules/${dep}`;
}
