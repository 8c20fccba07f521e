/**
 * Where toolchains keep what a gate needs under the user's HOME, as the variable that points a
 * tool there when HOME is another: installed toolchains (rustup, pyenv, asdf, `pip --user`) and
 * download caches (Go modules, cargo's registry, npm's cache, and `~/.cache`, which holds Go's
 * build cache, pip's and yarn's). Gates run with a HOME of their own and these pointed at the
 * user's, so they stay writable, as caches are.
 */
export const TOOLCHAIN_DIRS: readonly { name: string; under: string }[] = [
  { name: 'XDG_CACHE_HOME', under: '.cache' },
  { name: 'GOPATH', under: 'go' },
  { name: 'CARGO_HOME', under: '.cargo' },
  { name: 'RUSTUP_HOME', under: '.rustup' },
  { name: 'npm_config_cache', under: '.npm' },
  { name: 'PYTHONUSERBASE', under: '.local' },
  { name: 'PYENV_ROOT', under: '.pyenv' },
  { name: 'ASDF_DATA_DIR', under: '.asdf' },
];
