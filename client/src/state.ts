import { normaliseRaterId, RATER_ID_PATTERN } from '@fts/shared';

const RATER_KEY = 'fts.rater';

/** The rater ID remembered on this browser, if any. */
export function currentRater(): string | undefined {
  const v = localStorage.getItem(RATER_KEY);
  return v && RATER_ID_PATTERN.test(v) ? v : undefined;
}

/** Validate and remember a typed rater ID; returns an error message when it is not valid. */
export function setRater(raw: string): string | undefined {
  const id = normaliseRaterId(raw);
  if (!RATER_ID_PATTERN.test(id)) {
    return 'Use 1–64 letters, digits, ".", "_", "-" or "@", starting with a letter or digit.';
  }
  localStorage.setItem(RATER_KEY, id);
  return undefined;
}
