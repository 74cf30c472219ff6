import { z } from 'zod';

/**
 * Rater IDs are typed by people: trimmed and lower-cased, then letters, digits, `.`, `_`,
 * `-` and `@` only, so they are safe in file names, URLs and spreadsheet cells.
 */
export const RATER_ID_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** Normalise a typed rater ID (trim, lower-case, NFKC) before validating it. */
export function normaliseRaterId(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

export const RaterIdSchema = z
  .string()
  .transform(normaliseRaterId)
  .pipe(
    z
      .string()
      .regex(
        RATER_ID_PATTERN,
        'must be 1-64 characters: letters, digits, ".", "_", "-" or "@", starting with a letter or digit',
      ),
  );

/** Run IDs name a folder in the bucket: e.g. `run_20261115_101500`. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const RunIdSchema = z
  .string()
  .regex(RUN_ID_PATTERN, 'must be 1-128 characters: letters, digits, ".", "_" or "-"');

/** Item IDs are paths inside a run (without extension), segments joined by `/`. */
export const ItemIdSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((id) => !/[\u0000-\u001f\u007f]/.test(id), 'must not contain control characters')
  .refine(
    (id) => !id.split('/').some((s) => s === '' || s === '.' || s === '..'),
    'must be a relative path without "." or ".." segments',
  );

/** Submission IDs are made by the client (a UUID is ideal) and are the idempotency key. */
export const SUBMISSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const SubmissionIdSchema = z
  .string()
  .regex(SUBMISSION_ID_PATTERN, 'must be 8-64 characters: letters, digits, "_" or "-"');
