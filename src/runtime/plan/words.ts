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

// Common English and the vocabulary every program shares: a goal's plain word on this list is
// prose, never the name of the one function the goal is about ("fix clamp for negative numbers"
// looks up clamp, not negative or numbers). Singular forms; stems are compared.
const COMMON_WORD_LIST = `able above accept actual actually add again ago ahead allow almost alone along already alright
  always amount another answer anyone anything anyway anywhere appear apply area argument arguments array ask
  async await back bad bar base basic become begin behaviour behavior behind believe below best big bit block
  body boolean both bottom break bring build built call came cannot care carry catch cause certain char character
  check child class clear client close color colour column come command comment common complete condition config
  const constructor contain content context continue copy correct could count crash current custom data date day
  debug decide default define detail different display document does doesn done double down drop during early
  easy edge either element else empty end enough entire entry error even event ever exact example except exception
  exist expect export extra fact false far fast few field final find fine first float follow foo form format found
  free full function further give given global go going gone great group guess half happen hard have head help
  high hold home hour however idea import include index init input inside int integer interface into item itself
  keep key kind know large last later lead leave left length level life like likely limit line list little live
  local log long look lose lot low main many map mark match matter maybe mean message method middle mind minute
  miss mode model moment month most move much name nearly negative never next nil none normal nothing now null
  number object odd off often old once open option order other otherwise output outside over page pair part pass
  path people per perhaps place plain point positive possible prefer present pretty print private probably process
  produce proper property public put quite raise rather read real reason receive record request require response
  rest result return right room row rule run safe said same save say second see seem self send sense server set
  several short show side sign simple single size slow small someone sometimes soon space special start state
  static step still stop store string struct such sure system tab table take tell term test text than thank their
  them themselves then thing think third though time today together top toward true try turn type under undefined
  unless unit upon user usual value var version void want warning watch week well went whatever whether while
  whole wide will wish word world worse wrong yes yet zero rename extract inline simplify deprecate expose speed
  reduce increase avoid prevent ignore skip respect treat verify validate`;

const COMMON_WORDS = new Set(
  COMMON_WORD_LIST.split(/\s+/)
    .filter((word) => word !== '')
    .map(stem),
);

/** A word every goal or program may use: a stop word, common English or a generic programming word. */
export function isCommonWord(word: string): boolean {
  const stemmed = stem(word);
  return STOPWORDS.has(stemmed) || COMMON_WORDS.has(stemmed);
}

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
