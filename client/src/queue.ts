import type { Submission, SubmissionInput } from '@fts/shared';
import { api, ApiFailure } from './api';

/**
 * The offline queue. Every submission is written to localStorage before it is sent, and
 * stays there until the server confirms it (201, or 200 when it already had it), so a
 * closed tab or a lost network loses nothing; the server is idempotent by submission_id,
 * so a resend after a lost answer is one row, not two.
 */

/** A submission waiting in the queue. */
export interface Queued {
  input: SubmissionInput;
  /** `rejected`: the server refused it (4xx); it is kept for the rater to see, never resent. */
  state: 'pending' | 'rejected';
  attempts: number;
  /** Why the last attempt failed. */
  error?: string;
}

export interface QueueStatus {
  pending: number;
  rejected: Queued[];
  /** The last attempt failed for a reason worth retrying (offline, 5xx). */
  retrying: boolean;
  lastError?: string;
}

const KEY = 'fts.queue.v1';
const MAX_DELAY_MS = 15_000;

function load(): Queued[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as Queued[]) : [];
  } catch {
    return [];
  }
}

function save(list: Queued[]): void {
  localStorage.setItem(KEY, JSON.stringify(list));
}

function update(id: string, change: (q: Queued) => Queued | undefined): void {
  const list = load();
  const i = list.findIndex((q) => q.input.submission_id === id);
  if (i < 0) return;
  const next = change(list[i] as Queued);
  if (next) list[i] = next;
  else list.splice(i, 1);
  save(list);
}

type Listener = (status: QueueStatus, saved?: Submission) => void;
const listeners = new Set<Listener>();
let retrying = false;
let lastError: string | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let flushing: Promise<void> | undefined;
let again = false;

export function status(): QueueStatus {
  const list = load();
  return {
    pending: list.filter((q) => q.state === 'pending').length,
    rejected: list.filter((q) => q.state === 'rejected'),
    retrying,
    ...(lastError ? { lastError } : {}),
  };
}

function emit(saved?: Submission): void {
  const s = status();
  for (const l of listeners) l(s, saved);
}

/** Be told when the queue changes; `saved` is the submission the server just confirmed. */
export function subscribe(fn: Listener): () => void {
  listeners.add(fn);
  fn(status());
  return () => listeners.delete(fn);
}

/** Submissions not yet confirmed (pending or rejected), oldest first. */
export function queued(): Queued[] {
  return load();
}

/** Keep a submission (synchronously, before anything is sent) and start sending it. */
export function enqueue(input: SubmissionInput): void {
  save([...load(), { input, state: 'pending', attempts: 0 }]);
  emit();
  void flush();
}

/** Forget a rejected submission. */
export function discard(id: string): void {
  update(id, () => undefined);
  emit();
}

function transient(e: unknown): boolean {
  // fetch rejects with a TypeError when there is no network; 408/429/5xx may pass.
  return !(e instanceof ApiFailure) || e.status === 408 || e.status === 429 || e.status >= 500;
}

async function sendAll(): Promise<void> {
  for (;;) {
    // Re-read every time: another tab may have sent or added entries meanwhile.
    const next = load().find((q) => q.state === 'pending');
    if (!next) {
      retrying = false;
      lastError = undefined;
      emit();
      return;
    }
    const id = next.input.submission_id;
    try {
      const receipt = await api.submit(next.input);
      update(id, () => undefined);
      retrying = false;
      lastError = undefined;
      emit(receipt.submission);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (transient(e)) {
        update(id, (q) => ({ ...q, attempts: q.attempts + 1, error: message }));
        retrying = true;
        lastError = message;
        emit();
        const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(next.attempts, 4));
        clearTimeout(timer);
        timer = setTimeout(() => void flush(), delay);
        return;
      }
      update(id, (q) => ({ ...q, state: 'rejected', attempts: q.attempts + 1, error: message }));
      emit();
    }
  }
}

/**
 * Send pending submissions one at a time until none is left or the network fails (then a
 * retry is scheduled). Tabs of the same browser take turns through a Web Lock.
 */
export function flush(): Promise<void> {
  clearTimeout(timer);
  if (flushing) {
    // The running pass may already have looked for work: run one more after it.
    again = true;
    return flushing;
  }
  const pass: Promise<void> = navigator.locks
    ? navigator.locks.request('fts-queue', () => sendAll()).then(() => undefined)
    : sendAll();
  flushing = pass.finally(() => {
    flushing = undefined;
    if (again) {
      again = false;
      void flush();
    }
  });
  return flushing;
}

/** Start sending what earlier visits left behind, and retry as soon as the network is back. */
export function startQueue(): void {
  window.addEventListener('online', () => void flush());
  window.addEventListener('storage', (e) => {
    if (e.key === KEY) emit();
  });
  void flush();
}
