// The job queue, seen-set and mutex are host plumbing: they live in adapters/bot/queue.ts.
export { JobQueue, KeyedMutex, type PushOutcome, SeenKeys } from '../adapters/bot/queue.js';
