// A goal directory that appeared in the state root while an agent or gate of another goal ran,
// and that no omk process made (`integrity/new-goals.ts`), is set aside: omk writes
// `untrusted.json` into it, and the store then never lists it, resolves it (`latest`, a prefix or
// its whole id) or acts on it. Left in place, so the user can look at it (and, if it was theirs,
// remove the marker).

/** Who made a goal directory: written by the store right after it created it. */
export const CREATOR_FILE = 'creator.json';

/** The marker of a goal set aside. */
export const UNTRUSTED_FILE = 'untrusted.json';

export interface SetAside {
  /** The goal whose run found it. */
  foundBy: string;
  at: string;
}

export function setAsideText(found: SetAside): string {
  return `${JSON.stringify(found, null, 2)}\n`;
}

/** The reason shown for a goal set aside; a marker omk cannot read still sets the goal aside. */
export function setAsideWhy(text: string): string {
  try {
    const found = JSON.parse(text) as Partial<SetAside>;
    if (typeof found.foundBy === 'string' && typeof found.at === 'string')
      return `it appeared in omk's state root while an agent or gates of goal ${found.foundBy} ran (found ${found.at}), and no omk process made it.`;
  } catch {
    // Fall through.
  }
  return `its ${UNTRUSTED_FILE} says no omk process made it.`;
}
