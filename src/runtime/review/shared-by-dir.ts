// Files outside the test files that every test of a directory shares (test data, test set-up):
// a change to one is a change to those tests. One rule for each kind: which directory a path's
// shared file serves, and whether a test a runner names is one of that directory's.

/** A kind of shared file, as `testsEditedByChange` records it and fail-to-pass reads it. */
export interface SharedByDir {
  /** `<prefix><dir>` for each directory whose shared files `paths` edit. */
  edits(paths: readonly string[]): string[];
  /** Whether the runner's test `name` is a test of a directory an entry of `edited` names. */
  edited(name: string, edited: ReadonlySet<string>): boolean;
  /** The changed shared files (of `paths`) the test `name` may read. */
  read(name: string, paths: readonly string[]): string[];
}

/**
 * The rule of one kind: `dirOf` says which directory a path's shared file serves (null: not one),
 * `inScope` whether a runner's test name is one of that directory's tests; `prefix` marks the kind
 * in the edited set.
 */
export function sharedByDir(
  prefix: string,
  dirOf: (path: string) => string | null,
  inScope: (name: string, dir: string) => boolean,
): SharedByDir {
  return {
    edits(paths) {
      const dirs = paths.map(dirOf).filter((dir): dir is string => dir !== null);
      return [...new Set(dirs)].map((dir) => `${prefix}${dir}`);
    },
    edited(name, edited) {
      return [...edited].some(
        (entry) => entry.startsWith(prefix) && inScope(name, entry.slice(prefix.length)),
      );
    },
    read(name, paths) {
      return paths.filter((path) => {
        const dir = dirOf(path);
        return dir !== null && inScope(name, dir);
      });
    },
  };
}
