/** A workflow command as the runner would act on it: `::name props::message`. */
export interface ObeyedCommand {
  name: string;
  props: string;
  message: string;
  line: number;
}

export interface RunnerReading {
  /** The commands the runner acts on, in order (a `stop-commands` and its end included). */
  obeyed: ObeyedCommand[];
  /** The token of a `::stop-commands::` pause still open at the end of the log, else null. */
  openPause: string | null;
}

const COMMAND = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/;

/**
 * Reads a step's stdout as the Actions runner does: each line (leading whitespace trimmed) that
 * starts with `::` is a command, except while a `::stop-commands::<token>` pause is open, where
 * only `::<token>::` is read (it ends the pause) and every other line is plain text.
 */
export function readAsRunner(stdout: string): RunnerReading {
  const obeyed: ObeyedCommand[] = [];
  let pause: string | null = null;
  stdout.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pause !== null) {
      if (line === `::${pause}::`) {
        obeyed.push({ name: pause, props: '', message: '', line: index + 1 });
        pause = null;
      }
      return;
    }
    const match = COMMAND.exec(line);
    if (match === null) return;
    const [, name = '', props = '', message = ''] = match;
    obeyed.push({ name, props, message, line: index + 1 });
    if (name === 'stop-commands') pause = message;
  });
  return { obeyed, openPause: pause };
}
