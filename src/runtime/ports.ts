// The ports through which the runtime touches the world. Front doors compose adapters that fit
// their host; tests inject fakes. Nothing here is evaluated at import time.

export interface Clock {
  /** Wall-clock now, as an ISO-8601 string (persisted in events and state). */
  nowIso(): string;
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

export const systemClock: Clock = {
  nowIso: () => new Date().toISOString(),
  nowMs: () => Date.now(),
};

/** Process facts the runtime needs without reading globals. */
export interface HostInfo {
  pid: number;
  hostname: string;
  /** Is a process with this pid alive on this host? */
  isAlive(pid: number): boolean;
}

/** Warnings and progress the runtime reports without knowing how they are shown. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export const silentReporter: Reporter = { info: () => {}, warn: () => {} };
