import { z } from 'zod';
import { RaterIdSchema, RunIdSchema } from '@fts/shared';

const flag = z
  .enum(['1', 'true', '0', 'false'], { message: 'must be 1, true, 0 or false' })
  .optional()
  .transform((v) => v === '1' || v === 'true');

/** `GET /scores?run=&rater=`: a rater reviewing their own scores. */
export const ScoresQuerySchema = z.strictObject({
  run: RunIdSchema.optional(),
  rater: RaterIdSchema.optional(),
});

/** `GET /scores.csv?run=&rater=&since=&latest=1&format=wide`. */
export const CsvQuerySchema = ScoresQuerySchema.extend({
  /** Only submissions at or after this instant (ISO 8601 date, or date-time with offset). */
  since: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      message: 'must be an ISO 8601 date (2026-11-15) or date-time (2026-11-15T10:00:00Z)',
    })
    .transform((s) => new Date(s).getTime())
    .optional(),
  /** Keep only each rater's latest submission per item. */
  latest: flag,
  /** `tidy` (default): one row per answered criterion; `wide`: one row per submission. */
  format: z.enum(['tidy', 'wide'], { message: 'must be tidy or wide' }).default('tidy'),
});
export type CsvQuery = z.output<typeof CsvQuerySchema>;
