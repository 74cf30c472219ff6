// The patterns and limits the zod schemas are built from, as plain values. Nothing here may
// import zod (or anything else): the rater app imports this module alone to stay small.

/**
 * Rater IDs are typed by people: trimmed and lower-cased, then letters, digits, `.`, `_`,
 * `-` and `@` only, so they are safe in file names, URLs and spreadsheet cells.
 */
export const RATER_ID_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** What a valid rater ID looks like, in words. */
export const RATER_ID_RULE =
  'must be 1-64 characters: letters, digits, ".", "_", "-" or "@", starting with a letter or digit';

/** Normalise a typed rater ID (trim, lower-case, NFKC) before validating it. */
export function normaliseRaterId(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** Run IDs name a folder in the bucket: e.g. `run_20261115_101500`. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Submission IDs are made by the client (a UUID is ideal) and are the idempotency key. */
export const SUBMISSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Longest item id, in characters (an item id is its file's path without extension). */
export const MAX_ITEM_ID_LENGTH = 512;

/** Control characters a comment may not hold (tab, line feed and carriage return are fine). */
export const COMMENT_CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * A comment as typed or pasted, with each control character it may not hold turned into a
 * space: text pasted from word processors carries vertical tabs (manual line breaks) and form
 * feeds, and a rater's score should not be refused for them.
 */
export function cleanComment(text: string): string {
  return text.replace(new RegExp(COMMENT_CONTROL_CHARACTER.source, 'g'), ' ');
}

/** Longest comment accepted, in characters. */
export const MAX_COMMENT_LENGTH = 5000;
