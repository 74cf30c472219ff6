import { z } from 'zod';
import { ItemIdSchema, RaterIdSchema, RunIdSchema, SubmissionIdSchema } from './ids';
import { COMMENT_CONTROL_CHARACTER, MAX_COMMENT_LENGTH } from './rules';

export { MAX_COMMENT_LENGTH };

/** A UTF-16 surrogate without its pair: UTF-8 cannot carry it, so storing it would alter the text. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

/** What the client sends to `POST /scores`. */
export const SubmissionInputSchema = z
  .object({
    /** Made by the client; sending the same id twice records one submission. */
    submission_id: SubmissionIdSchema,
    rater_id: RaterIdSchema,
    run_id: RunIdSchema,
    item_id: ItemIdSchema,
    /** Criterion id to answer; checked against the run's rubric. */
    answers: z.record(z.string().max(40), z.union([z.number(), z.string().max(100), z.null()])),
    comment: z
      .string()
      .max(MAX_COMMENT_LENGTH)
      .refine((s) => !COMMENT_CONTROL_CHARACTER.test(s), 'must not contain control characters')
      .refine(wellFormed, 'must be valid Unicode (no unpaired surrogates)')
      .default(''),
    /** Milliseconds the rater spent on the item. */
    time_spent_ms: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600 * 1000)
      .optional(),
    /** Version of the app that made the submission. */
    app_version: z.string().max(40).refine(wellFormed, 'must be valid Unicode').optional(),
  })
  // `submitted_at` and `video_uri` come from the server's clock and the run; a client that
  // sends them (or anything else unknown) is told so rather than silently overruled.
  .strict();
export type SubmissionInput = z.input<typeof SubmissionInputSchema>;

/** A submission as stored: the input, validated, plus what the server adds. */
export const SubmissionSchema = z.object({
  submission_id: z.string(),
  submitted_at: z.string(),
  rater_id: z.string(),
  run_id: z.string(),
  item_id: z.string(),
  video_uri: z.string(),
  answers: z.record(z.string(), z.union([z.number(), z.string()])),
  comment: z.string(),
  time_spent_ms: z.number().optional(),
  app_version: z.string().optional(),
});
export type Submission = z.infer<typeof SubmissionSchema>;

/**
 * The columns of scores.csv, one row per answered criterion. The header never changes
 * when rubrics change; new columns may only be appended.
 */
export const SCORE_COLUMNS = [
  'submission_id',
  'submitted_at',
  'rater_id',
  'run_id',
  'item_id',
  'video_uri',
  'criterion',
  'value',
  'comment',
  'time_spent_ms',
  'app_version',
] as const;
export type ScoreColumn = (typeof SCORE_COLUMNS)[number];
export type ScoreRow = Record<ScoreColumn, string>;

/** The rows of scores.csv for one submission; a submission with no answers keeps one row. */
export function submissionToRows(s: Submission): ScoreRow[] {
  const base = {
    submission_id: s.submission_id,
    submitted_at: s.submitted_at,
    rater_id: s.rater_id,
    run_id: s.run_id,
    item_id: s.item_id,
    video_uri: s.video_uri,
    comment: s.comment,
    time_spent_ms: s.time_spent_ms === undefined ? '' : String(s.time_spent_ms),
    app_version: s.app_version ?? '',
  };
  const entries = Object.entries(s.answers);
  if (entries.length === 0) return [{ ...base, criterion: '', value: '' }];
  return entries.map(([criterion, value]) => ({ ...base, criterion, value: String(value) }));
}

/** What `POST /scores` answers. */
export interface SubmissionReceipt {
  submission: Submission;
  /** False when the submission id had already been recorded (nothing new was written). */
  created: boolean;
}
