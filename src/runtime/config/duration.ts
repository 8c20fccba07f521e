import { z } from 'zod';

// Its own module so the agents section (imported by schema.ts) can use it too.
const MAX_DURATION_MS = 6 * 3_600_000;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** "10m", "90s", "1h30m" → milliseconds. Kept in the config as a string so YAML stays readable. */
export const durationSchema = z
  .string()
  .regex(DURATION, { error: 'must be a duration such as 90s, 10m or 1h30m (units: s, m, h)' })
  .min(2, { error: 'must be a duration such as 90s, 10m or 1h30m' })
  .transform((text) => {
    const [, h, m, s] = DURATION.exec(text) ?? [];
    return Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1_000;
  })
  .refine((ms) => ms > 0 && ms <= MAX_DURATION_MS, { error: 'must be more than 0s and at most 6h' })
  .describe('A duration: a number with a unit (s, m, h), e.g. 90s, 10m, 1h30m.');
