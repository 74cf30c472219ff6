import { z } from 'zod';
import {
  MAX_ITEM_ID_LENGTH,
  normaliseRaterId,
  RATER_ID_PATTERN,
  RATER_ID_RULE,
  RUN_ID_PATTERN,
  SUBMISSION_ID_PATTERN,
} from './rules';

export { normaliseRaterId, RATER_ID_PATTERN, RATER_ID_RULE, RUN_ID_PATTERN, SUBMISSION_ID_PATTERN };

export const RaterIdSchema = z
  .string()
  .transform(normaliseRaterId)
  .pipe(z.string().regex(RATER_ID_PATTERN, RATER_ID_RULE));

/** Run IDs name a folder in the bucket: e.g. `run_20261115_101500`. */
export const RunIdSchema = z
  .string()
  .regex(RUN_ID_PATTERN, 'must be 1-128 characters: letters, digits, ".", "_" or "-"');

/** Item IDs are paths inside a run (without extension), segments joined by `/`. */
export const ItemIdSchema = z
  .string()
  .min(1)
  .max(MAX_ITEM_ID_LENGTH)
  .refine((id) => !/[\u0000-\u001f\u007f]/.test(id), 'must not contain control characters')
  .refine(
    (id) => !id.split('/').some((s) => s === '' || s === '.' || s === '..'),
    'must be a relative path without "." or ".." segments',
  );

/** Submission IDs are made by the client (a UUID is ideal) and are the idempotency key. */
export const SubmissionIdSchema = z
  .string()
  .regex(SUBMISSION_ID_PATTERN, 'must be 8-64 characters: letters, digits, "_" or "-"');
