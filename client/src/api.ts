import type { ApiError, Item, RunDetail, RunSummary, Submission, SubmissionInput } from '@fts/shared';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | undefined,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { Accept: 'application/json', ...(init?.headers ?? {}) },
  });
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) throw new ApiFailure(res.status, body as ApiError | undefined);
  return body as T;
}

export const api = {
  runs: () => call<RunSummary[]>('/runs'),
  run: (id: string) => call<RunDetail>(`/runs/${encodeURIComponent(id)}`),
  items: (id: string) => call<Item[]>(`/runs/${encodeURIComponent(id)}/items`),
  next: (id: string, rater: string) =>
    call<{ item: Item | null; progress: { done: number; total: number } }>(
      `/runs/${encodeURIComponent(id)}/next?rater=${encodeURIComponent(rater)}`,
    ),
  submit: (s: SubmissionInput) =>
    call<{ submission: Submission; created: boolean }>('/scores', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(s),
    }),
};
