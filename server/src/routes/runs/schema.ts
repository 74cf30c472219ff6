import { z } from 'zod';
import { ItemIdSchema, RaterIdSchema, RunIdSchema } from '@fts/shared';

/** The most item IDs one `GET /runs/:id/next` may leave out. */
export const MAX_SKIP = 500;

/**
 * `skip`: item IDs to leave out, as repeated parameters and/or comma-separated. A value
 * with commas also counts whole when it is a valid ID, so an ID that itself holds a comma
 * still works when sent as a parameter of its own.
 */
const SkipSchema = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    const raw = v === undefined ? [] : Array.isArray(v) ? v : [v];
    const parts = raw.flatMap((s) => s.split(',')).filter((s) => s !== '');
    if (parts.length > MAX_SKIP) {
      ctx.addIssue({ code: 'custom', message: `must name at most ${MAX_SKIP} items` });
      return z.NEVER;
    }
    const whole = raw.filter((s) => s.includes(',') && ItemIdSchema.safeParse(s).success);
    return [...new Set([...whole, ...parts])];
  })
  .pipe(z.array(ItemIdSchema));

/** `GET /runs/:id/next?rater=ID&skip=ID`. */
export const NextQuerySchema = z.strictObject({ rater: RaterIdSchema, skip: SkipSchema });

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
