import { AppError, Unavailable } from '../../errors';

export interface RetryOptions {
  /** Attempts after the first; default 4. */
  retries?: number;
  /** First wait in milliseconds, doubled on each retry (with jitter); default 200. */
  baseDelayMs?: number;
  /** Called before each wait, for logs. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Network errors worth trying again: the request may not have reached the other side. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'EMFILE',
  'ENFILE',
  'EBUSY',
]);

/**
 * Whether an error is transient: `Unavailable`, HTTP 408, 429 or 5xx (GCS asks clients to retry
 * those with exponential backoff), or a dropped connection. Typed domain errors (not found,
 * conflict, precondition failed, invalid) are final.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof Unavailable) return true;
  if (error instanceof AppError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; cause?: unknown };
  for (const status of [e.code, e.status, e.statusCode]) {
    if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  }
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== error && isTransient(e.cause);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `fn`, trying again with exponential backoff while it fails with a transient error. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt > retries || !isTransient(e)) throw e;
      options.onRetry?.(e, attempt);
      await sleep(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}
