/**
 * How much detail a rendering keeps. GitHub refuses bodies over 65,536 characters, so renderers
 * are pure functions of (input, fold) and `fitSections` walks the folds from most to least detail.
 * Gaps and failures are never dropped: at most their messages are shortened, last.
 */
export interface Fold {
  /** Characters of output shown per failing gate (and per failure's evidence); 0 folds it away. */
  tailChars: number;
  /** Changed files listed by name; the rest are counted. */
  filesShown: number;
  decisions: boolean;
  /** Cap on free text (goal, titles, names, findings); null keeps it whole. */
  textChars: number | null;
  block: 'full' | 'digest';
  /** Cap on each gap and failure message; null keeps them whole, 0 shows codes only. */
  messageChars: number | null;
  /** Gaps and failures as one line per distinct code, with its count. */
  grouped: boolean;
}

const MOST: Fold = {
  tailChars: 8000,
  filesShown: Number.POSITIVE_INFINITY,
  decisions: true,
  textChars: null,
  block: 'full',
  messageChars: null,
  grouped: false,
};
const DETAIL_STEPS: Partial<Fold>[] = [
  {},
  { tailChars: 1500 },
  { tailChars: 0 },
  { filesShown: 100 },
  { filesShown: 0 },
  { decisions: false },
  { textChars: 2000 },
];
const GAP_STEPS: Partial<Fold>[] = [
  { messageChars: 300 },
  { messageChars: 80 },
  { messageChars: 0 },
  { grouped: true },
];

/**
 * Detail folds (tails, then files, then decisions, then long text) with the full proof block; the
 * same again with the digest block (a huge proof should not cost the reader the gate output); and
 * only then gap and failure messages, shortened step by step until they are grouped by code.
 */
export function foldSequence(withFullBlock: boolean): Fold[] {
  const steps = (start: Fold, list: Partial<Fold>[]) => {
    let fold = start;
    return list.map((step) => {
      fold = { ...fold, ...step };
      return fold;
    });
  };
  const digest = steps({ ...MOST, block: 'digest' }, DETAIL_STEPS);
  const last = digest.at(-1) ?? { ...MOST, block: 'digest' };
  return [...(withFullBlock ? steps(MOST, DETAIL_STEPS) : []), ...digest, ...steps(last, GAP_STEPS)];
}

/**
 * `render` again only when a fold field it reads changed since its last call: `fitSections` walks
 * up to 18 folds and most steps change one field, so a section that does not read it (a 1 MB goal
 * quoted line by line, 10,000 file names) is not escaped again. Keeps only the last result.
 */
export function byFields<T>(fields: readonly (keyof Fold)[], render: (fold: Fold) => T): (fold: Fold) => T {
  let last: { key: Fold[keyof Fold][]; value: T } | undefined;
  return (fold) => {
    const key = fields.map((field) => fold[field]);
    if (last?.key.every((value, index) => value === key[index])) return last.value;
    last = { key, value: render(fold) };
    return last.value;
  };
}

/** A part of a body; `keep` parts (gaps, failures, the proof block) are the last to be cut. */
export interface Section {
  text: string;
  keep: boolean;
}

export function joinSections(sections: readonly Section[]): string {
  return `${sections
    .map((section) => section.text)
    .filter((part) => part !== '')
    .join('\n\n')}\n`;
}

/** joinSections(sections).length, without building the string. */
export function joinedLength(sections: readonly Section[]): number {
  let length = 0;
  let parts = 0;
  for (const section of sections) {
    if (section.text === '') continue;
    length += section.text.length;
    parts += 1;
  }
  return length + 2 * Math.max(0, parts - 1) + 1;
}

/** The first fold that fits; if none does, the last one squeezed (the final section never cut). */
export function fitSections(
  render: (fold: Fold) => Section[],
  folds: readonly Fold[],
  limit: number,
): string {
  let sections: Section[] = [];
  let hopeless: string | null = null;
  for (const fold of folds) {
    // When the kept sections alone overflow, folds that leave them unchanged cannot help: skip them.
    if (hopeless !== null && keptKey(fold) === hopeless) continue;
    sections = render(fold);
    // Sizes are summed, not joined: only the body that fits is built (sections run to megabytes).
    if (joinedLength(sections) <= limit) return joinSections(sections);
    const kept = sections.filter((section) => section.keep);
    hopeless = joinedLength(kept) > limit ? keptKey(fold) : null;
  }
  return joinSections(squeeze(sections, limit));
}

/** The fold fields that kept sections (gaps, failures and their evidence, the block) depend on. */
function keptKey(fold: Fold): string {
  return JSON.stringify([fold.tailChars, fold.messageChars, fold.grouped, fold.block]);
}

/** Shares what the kept sections leave among the others, smallest first (water-filling). */
function squeeze(sections: Section[], limit: number): Section[] {
  const cuttable = (index: number) => !(sections[index]?.keep ?? true);
  const lastIndex = sections.length - 1;
  let canCut = sections.map((_, index) => cuttable(index));
  const room = () =>
    limit - joinedLength(sections.filter((_, index) => !canCut[index])) - 2 * canCut.filter(Boolean).length;
  // Pathological inputs (thousands of distinct gap codes): the kept sections are cut too, the block never.
  if (room() < 0) canCut = sections.map((_, index) => index !== lastIndex);
  let budget = Math.max(0, room());
  const order = sections
    .map((section, index) => ({ index, length: section.text.length }))
    .filter(({ index }) => canCut[index])
    .sort((a, b) => a.length - b.length || a.index - b.index);
  const allowed = new Map<number, number>();
  order.forEach(({ index, length }, position) => {
    const take = Math.min(length, Math.floor(budget / (order.length - position)));
    allowed.set(index, take);
    budget -= take;
  });
  return sections.map((section, index) => {
    const max = allowed.get(index);
    return max === undefined ? section : { ...section, text: cut(section.text, max) };
  });
}

/** Cuts Markdown at a line boundary when it can, saying how much was folded. */
export function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const note = (count: number) => `\n\n_… ${count} characters folded to fit the size limit._`;
  const room = max - note(value.length).length;
  if (room <= 0) return '';
  const newline = value.lastIndexOf('\n', room);
  const end = safeEnd(value, newline > 0 ? newline : room);
  return `${value.slice(0, end)}${note(value.length - end)}`;
}

function safeEnd(value: string, end: number): number {
  const unit = value.charCodeAt(end - 1);
  return unit >= 0xd800 && unit <= 0xdbff ? end - 1 : end;
}
