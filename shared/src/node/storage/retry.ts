import { Unavailable } from '../../errors';

/** How a store retries transient failures: exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Tries in all, the first included (1 turns retries off). */
  attempts: number;
  /** Upper bound of the first pause, in milliseconds; doubles after every failure. */
  initialDelayMs: number;
  /** Cap on one pause, in milliseconds. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * HTTP statuses the GCS docs list as retryable ("Retry strategy": 408, 429 and 5xx): the
 * request may or may not have been applied, the service asks to be asked again.
 */
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Socket-level failures: the connection broke or never opened. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  // A chunked answer whose connection closed before its last chunk (node-fetch's FetchError).
  'ERR_STREAM_PREMATURE_CLOSE',
  // The GCS client's checksum did not match what arrived: the download was damaged in transit.
  'CONTENT_DOWNLOAD_MISMATCH',
]);

/** The HTTP status carried by an error from the GCS client, if any. */
export function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Whether `e` is a failure worth trying again (rate limit, server error, broken connection). */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const status = statusOf(e);
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  const err = e as NodeJS.ErrnoException & { errno?: unknown; type?: unknown };
  if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) return true;
  if (typeof err.errno === 'string' && TRANSIENT_CODES.has(err.errno)) return true;
  // node-fetch's FetchError when a request or its answer's body took longer than its timeout.
  if (err.type === 'request-timeout' || err.type === 'body-timeout') return true;
  return /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|network timeout/i.test(e.message);
}

/**
 * Run `fn`, trying again after transient failures when `retry` is true. Whatever is still
 * transient after the last try becomes `Unavailable` (503), so the caller can say "try later".
 * `fn` gets the try's number (1 for the first).
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  retry: boolean,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  const attempts = retry ? Math.max(1, policy.attempts) : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (attempt >= attempts) {
        const tried = attempts === 1 ? 'not retried' : `after ${attempts} tries`;
        throw new Unavailable(`${what} failed (${tried}): ${(e as Error).message}`, { cause: e });
      }
      const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}
