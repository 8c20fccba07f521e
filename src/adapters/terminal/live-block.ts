/**
 * A block of lines redrawn in place at the bottom of a terminal (`gh run watch` style): the cursor
 * goes back up over the last drawing and each line is cleared before it is written. Lines are cut
 * to the terminal's width so none wraps (a wrapped line would throw the count off). Text logged
 * meanwhile is written above the block, which is then drawn again.
 */
export class LiveBlock {
  private drawn = 0;
  private last: string[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: number,
  ) {}

  draw(lines: readonly string[]): void {
    this.last = [...lines];
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    const body = lines.map((line) => `\r\x1b[2K${fitWidth(line, this.columns)}\n`).join('');
    this.write(`${up}${body}\x1b[J`);
    this.drawn = lines.length;
  }

  /** Writes text above the block and draws the block again under it. */
  log(text: string): void {
    if (this.drawn === 0) {
      this.write(text);
      return;
    }
    this.write(`\x1b[${this.drawn}A\r\x1b[J${text}${text.endsWith('\n') ? '' : '\n'}`);
    this.drawn = 0;
    this.draw(this.last);
  }
}

function fitWidth(line: string, columns: number): string {
  const chars = [...line];
  return chars.length < columns ? line : `${chars.slice(0, Math.max(0, columns - 2)).join('')}…`;
}
