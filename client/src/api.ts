import type {
  ApiError,
  Item,
  RunDetail,
  RunSummary,
  Submission,
  SubmissionInput,
  SubmissionReceipt,
} from '@fts/shared';
import { accessCode, setAccessCode } from './state';

/** The server answered with an error status; `code` is the body's `error`. */
export class ApiFailure extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    body: ApiError | undefined,
  ) {
    super(body?.message ?? `HTTP ${status}`);
    this.code = body?.error ?? 'http_error';
  }
}

/** Asks the rater for the access code; `wrong` when the last one was refused. Rejects on cancel. */
export type AccessCodePrompt = (wrong: boolean) => Promise<string>;

let prompt: AccessCodePrompt | undefined;
let asking: Promise<string> | undefined;

/** Register how to ask for an access code when the server requires one. */
export function onAccessCodeRequired(fn: AccessCodePrompt): void {
  prompt = fn;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const code = accessCode();
  const res = await fetch(path, {
    ...init,
    headers: {
      Accept: 'application/json',
      ...(code ? { 'X-Access-Code': code } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (res.ok) return body as T;
  const failure = new ApiFailure(res.status, body as ApiError | undefined);
  // A server that gates the app answers 401 `access_code_required`: ask once (concurrent
  // calls share the question), remember the code and try again.
  if (res.status === 401 && failure.code.startsWith('access_code') && prompt) {
    asking ??= prompt(code !== undefined).finally(() => (asking = undefined));
    setAccessCode(await asking);
    return call<T>(path, init);
  }
  throw failure;
}

const run = (id: string): string => `/runs/${encodeURIComponent(id)}`;

/** What `GET /runs/:id/next` answers. */
export interface NextItem {
  item: Item | null;
  progress: { done: number; skipped: number; total: number };
}

/** What `GET /compare/next` answers; `videoUri` is null once the rater has rated every video. */
export interface CompareNext {
  videoUri: string | null;
  items: Item[];
  progress: { done: number; total: number };
}

/** The most skipped items named in one request (the server takes up to 500; URLs stay short). */
const MAX_SKIP_SENT = 200;

export const api = {
  runs: () => call<RunSummary[]>('/runs'),
  run: (id: string) => call<RunDetail>(run(id)),
  items: (id: string) => call<Item[]>(`${run(id)}/items`),
  /** The server's choice for the rater, leaving out the items they skipped. */
  next: (id: string, rater: string, skip: Iterable<string> = []) =>
    call<NextItem>(
      `${run(id)}/next?rater=${encodeURIComponent(rater)}${[...skip]
        .slice(0, MAX_SKIP_SENT)
        .map((s) => `&skip=${encodeURIComponent(s)}`)
        .join('')}`,
    ),
  /** Comparison mode: the next video to rate in both runs, its outputs in the order to show. */
  compareNext: (a: string, b: string, rater: string) =>
    call<CompareNext>(
      `/compare/next?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&rater=${encodeURIComponent(rater)}`,
    ),
  /** The rater's own submissions, for one run or all. */
  scores: (rater: string, runId?: string) =>
    call<Submission[]>(
      `/scores?rater=${encodeURIComponent(rater)}${runId ? `&run=${encodeURIComponent(runId)}` : ''}`,
    ),
  submit: (s: SubmissionInput) =>
    call<SubmissionReceipt>('/scores', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(s),
    }),
};
