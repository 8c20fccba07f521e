// Word handling shared by file discovery and clause splitting. Deliberately crude: goals are short,
// and a predictable match beats a clever one when a human has to understand why a file was chosen.

/** Splits identifiers and paths into lowercase words: "parseDate_v2.ts" → parse, date, v2, ts. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** Light suffix stripping so "tests", "testing" and "test" meet, as do "parse" and "parsing". */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

const STOPWORD_LIST = `a an the this that these those to of in on for with and or but if then also so as at by from into
  onto up down out over under about please we our us i me my you your they them it its is are was were be been being
  should must can could would will shall may might need want let just really very too all any each every some no not
  only own same such than there here when where which who whom why how what get got ok okay etc via use using after
  before against between without within through across around during since until while because instead again
  fix add implement make update change improve write create ensure support handle remove delete refactor rewrite
  migrate convert replace port harden secure optimize clean tidy do work code file repo repository project stuff
  thing something everything feature bug issue problem fail failing broken regression new better nice good more less
  one two way case cases`;

const STOPWORDS = new Set(
  STOPWORD_LIST.split(/\s+/)
    .filter((word) => word !== '')
    .map(stem),
);

/** File extensions say nothing about what a goal is about. */
const EXTENSION_WORDS = new Set(
  'js mjs cjs jsx ts mts cts tsx d py go rs rb java kt swift c h cc cpp hpp cs php md mdx txt json yml yaml toml lock sh'.split(
    ' ',
  ),
);

/** Meaningful stems of a goal or clause: stopwords, extensions, numbers and one-letter words removed. */
export function contentStems(text: string): string[] {
  const stems = splitWords(text)
    .filter((word) => word.length > 1 && !/^\d+$/.test(word) && !EXTENSION_WORDS.has(word))
    .map(stem)
    .filter((word) => !STOPWORDS.has(word));
  return [...new Set(stems)];
}

/** Stems of a path segment, for matching against goal words. */
export function segmentStems(segment: string): string[] {
  return splitWords(segment)
    .filter((word) => !EXTENSION_WORDS.has(word))
    .map(stem);
}
