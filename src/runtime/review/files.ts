// Path classifications the reviews share. They look at names only: the review never reads the
// worktree, so what a file is must be inferred from its path (and the diff, elsewhere).

const TEST_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  'spec',
  'specs',
  '__mocks__',
  'testdata',
  '__snapshots__',
]);
const TEST_NAMES = [
  /\.(?:test|spec)\.[^./]+$/i,
  /_test\.go$/,
  /^test_[^/]*\.py$/,
  /_test\.py$/,
  /_spec\.rb$/,
  // ava's default `test.js` (a package's single test file) and tsd's type tests `index.test-d.ts`.
  /^tests?\.[cm]?[jt]sx?$/i,
  /\.test-d\.[cm]?tsx?$/i,
];

/** A test file by the conventions of the common ecosystems (JS/TS, Go, Python, Ruby). */
export function isTestPath(path: string): boolean {
  const segments = path.split('/');
  const name = segments.at(-1) ?? '';
  if (segments.slice(0, -1).some((segment) => TEST_DIRS.has(segment.toLowerCase()))) return true;
  return TEST_NAMES.some((pattern) => pattern.test(name));
}

const SOURCE_EXTENSIONS = new Set(
  [
    'ts tsx mts cts js jsx mjs cjs vue svelte',
    'py go rs java kt kts scala groovy rb php cs fs swift m mm',
    'c h cc cpp cxx hh hpp hxx zig ex exs erl clj dart lua sh bash sql',
  ]
    .join(' ')
    .split(' '),
);

/** Code whose change should come with a test change; docs, config and data do not count. */
export function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSIONS.has(extension(path)) && !isTestPath(path);
}

export type BinaryClass = 'executable' | 'archive' | 'media' | 'opaque';

// Code that runs (native executables, shared and static libraries, object files, bytecode,
// installers): nobody can review it, and it runs with whatever trust the repository has.
const EXECUTABLE = new Set(
  'exe dll so dylib o obj a lib ko sys elf com scr class jar war ear pyc pyo wasm node msi apk ipa deb rpm dmg pkg appimage'.split(
    ' ',
  ),
);
// Unreviewable bundles of other files; what is inside is unknown, but nothing runs by itself.
const ARCHIVE = new Set(
  'zip tar gz tgz bz2 tbz2 xz txz 7z rar zst lz lzma cab iso whl gem nupkg crate'.split(' '),
);
// Assets whose content is the point (images, fonts, audio, video): expected in most repositories.
const MEDIA = new Set(
  'png jpg jpeg gif webp ico bmp tif tiff avif heic woff woff2 ttf otf eot mp3 mp4 wav ogg webm mov'.split(
    ' ',
  ),
);
// Opaque data (.bin, .dat, databases) and documents: not code, but still unreviewable.
const OPAQUE = new Set('bin dat db sqlite pdf'.split(' '));

/** The binary class the name suggests, or null when the extension says nothing (e.g. ".ts"). */
export function binaryClassOf(path: string): BinaryClass | null {
  const ext = extension(path);
  // Versioned shared libraries: libfoo.so.1.2.3
  if (EXECUTABLE.has(ext) || /\.so(?:\.\d+)+$/i.test(path)) return 'executable';
  if (ARCHIVE.has(ext)) return 'archive';
  if (MEDIA.has(ext)) return 'media';
  if (OPAQUE.has(ext)) return 'opaque';
  return null;
}

function extension(path: string): string {
  const name = path.split('/').at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The last path segment. */
export function baseName(path: string): string {
  return path.split('/').at(-1) ?? path;
}
