/** SIGINT/SIGTERM (Ctrl-C, a cancelled workflow run), as a subscription its user can remove. */
export interface SignalSource {
  subscribe(onSignal: () => void): () => void;
}

export function processSignals(): SignalSource {
  return {
    subscribe(onSignal) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
    },
  };
}

/** Runs `fn` with a signal that `source` aborts: an interrupted goal stays resumable. */
export async function abortOnSignal<T>(
  source: SignalSource,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = new AbortController();
  const unsubscribe = source.subscribe(() => interrupt.abort());
  try {
    return await fn(interrupt.signal);
  } finally {
    unsubscribe();
  }
}
