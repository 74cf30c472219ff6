import { normaliseRaterId, RATER_ID_PATTERN, RATER_ID_RULE } from '@fts/shared/rules';

// Remembered on this browser: the rater and the access code (when the server asks for one).
const RATER_KEY = 'fts.rater';
const CODE_KEY = 'fts.accessCode';

/** The rater ID remembered on this browser, if any. */
export function currentRater(): string | undefined {
  const v = localStorage.getItem(RATER_KEY);
  return v && RATER_ID_PATTERN.test(v) ? v : undefined;
}

/** Validate and remember a typed rater ID; returns an error message when it is not valid. */
export function setRater(raw: string): string | undefined {
  const id = normaliseRaterId(raw);
  if (!RATER_ID_PATTERN.test(id)) return `Rater ID ${RATER_ID_RULE}.`;
  localStorage.setItem(RATER_KEY, id);
  return undefined;
}

/** The access code to send as `X-Access-Code`, if one was entered. */
export function accessCode(): string | undefined {
  return localStorage.getItem(CODE_KEY) ?? undefined;
}

export function setAccessCode(code: string): void {
  localStorage.setItem(CODE_KEY, code);
}
