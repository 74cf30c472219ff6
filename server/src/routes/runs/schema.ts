import { z } from 'zod';
import { RaterIdSchema, RunIdSchema } from '@fts/shared';

/** `GET /runs/:id/next?rater=ID`. */
export const NextQuerySchema = z.strictObject({ rater: RaterIdSchema });

/** The text fields of `POST /runs` (multipart). */
export const UploadFieldsSchema = z.strictObject({
  run_id: RunIdSchema,
  /** Replace an existing run: `1` or `true`; absent, `0` or `false` refuse with 409. */
  replace: z
    .enum(['1', 'true', '0', 'false'], { message: 'must be 1, true, 0 or false' })
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

/**
 * A file's path inside the run folder, as the part's filename: relative, `/`-separated,
 * no `.` / `..` / empty segments, no backslashes or control characters, no drive letters.
 */
export const UploadPathSchema = z
  .string()
  .min(1, 'is empty')
  .max(1024, 'is longer than 1024 characters')
  .refine((p) => !/[\u0000-\u001f\u007f\\]/.test(p), 'must not contain backslashes or control characters')
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p), 'must be relative, not absolute')
  .refine(
    (p) => !p.split('/').some((s) => s === '' || s === '.' || s === '..'),
    'must not contain ".", ".." or empty segments',
  );
