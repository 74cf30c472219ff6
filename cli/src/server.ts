import { openAsBlob } from 'node:fs';
import { z } from 'zod';
import { Conflict, RunSummarySchema, type RunSummary } from '@fts/shared';
import { withRetry, type RetryOptions } from '@fts/shared/node';
import { CliFailure, UsageError } from './errors';

/** `201` body of `POST /runs`. */
const UploadAnswerSchema = z.object({
  runId: z.string(),
  itemCount: z.number(),
  files: z.unknown().optional(),
  skipped: z.unknown().optional(),
});
export type UploadAnswer = z.infer<typeof UploadAnswerSchema>;

/** Error body the server sends: `{error, message}`, with the problems for a refused upload. */
const ErrorBodySchema = z.object({
  error: z.string().optional(),
  message: z.string().optional(),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })).optional(),
});

/** An HTTP status worth retrying; thrown inside `withRetry` and turned into a message after. */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: z.infer<typeof ErrorBodySchema>,
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

export interface ServerOptions {
  /** Bearer token for uploads (`UPLOAD_TOKEN` on the server). */
  token?: string;
  /** The raters' access code (`ACCESS_CODE` on the server), from SCORE_ACCESS_CODE. */
  accessCode?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

/** The app's HTTP API, as the CLI uses it: `POST /runs`, `GET /runs`, `GET /scores.csv`. */
export class ScoreServer {
  readonly url: string;
  private readonly base: URL;

  constructor(
    url: string,
    private readonly options: ServerOptions = {},
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(
        `--server ${url} is not a URL: give the app's address, e.g. https://scoring.example.com`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new UsageError(`--server ${url}: only http:// and https:// servers are supported`);
    // A trailing slash makes relative paths resolve under a server mounted below the root.
    this.base = new URL(parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`);
    this.url = parsed.href.replace(/\/$/, '');
  }

  /** Send a request, retrying transient failures (connection drops, 408, 429, 5xx). */
  private async request(pathAndQuery: string, init: () => RequestInit): Promise<Response> {
    const fetchFn = this.options.fetch ?? fetch;
    const target = new URL(pathAndQuery, this.base);
    try {
      return await withRetry(async () => {
        const req = init();
        // A server gated by ACCESS_CODE wants the code on every read (uploads carry the token).
        const code = this.options.accessCode;
        if (code) req.headers = { ...(req.headers as Record<string, string>), 'x-access-code': code };
        const res = await fetchFn(target, req);
        if (res.status === 408 || res.status === 429 || res.status >= 500) {
          throw new HttpStatusError(res.status, await errorBody(res));
        }
        return res;
      }, this.options.retry);
    } catch (e) {
      if (e instanceof HttpStatusError) {
        throw new CliFailure(
          `${this.url} answered ${e.status} (${e.body.message ?? 'server error'}) after several tries; try again later.`,
        );
      }
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliFailure(
        `cannot reach ${this.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}. ` +
          `Check the address and your network.`,
      );
    }
  }

  /** Upload a run's files (the CLI checked them first); each file is read from disk as it is sent. */
  async uploadRun(
    runId: string,
    files: readonly { path: string; absPath: string }[],
    options: { replace?: boolean } = {},
  ): Promise<UploadAnswer> {
    const token = this.options.token;
    if (!token) {
      throw new UsageError('an upload token is needed: pass --token or set SCORE_UPLOAD_TOKEN');
    }
    // File-backed blobs: the body streams from disk, so memory does not grow with the run.
    const blobs = await Promise.all(files.map((f) => openAsBlob(f.absPath, { type: 'application/json' })));
    const res = await this.request('runs', () => {
      const form = new FormData();
      form.set('run_id', runId);
      if (options.replace) form.set('replace', '1');
      files.forEach((f, i) => form.append('files', blobs[i] as Blob, f.path));
      return { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form };
    });
    if (res.status === 201 || res.status === 200) return UploadAnswerSchema.parse(await res.json());
    const body = await errorBody(res);
    const said = body.message ? ` (${body.message})` : '';
    switch (res.status) {
      case 401:
        throw new CliFailure(
          `${this.url} refused the upload token${said}: check --token or SCORE_UPLOAD_TOKEN against the server's UPLOAD_TOKEN.`,
        );
      case 403:
      case 404:
        throw new CliFailure(
          `uploads are off on ${this.url}${said}: the server needs UPLOAD_TOKEN set, or upload with --to gs://BUCKET.`,
        );
      case 409:
        throw new Conflict(body.message ?? `run ${runId} already exists`);
      case 413:
        throw new CliFailure(
          `${this.url} says the upload is too large${said}: upload with --to gs://BUCKET instead.`,
        );
      default:
        throw new CliFailure(
          `${this.url} refused the run (${res.status})${said}`,
          (body.problems ?? []).map((p) => `problem ${p.path}: ${p.reason}`),
        );
    }
  }

  /** `GET /runs`: complete runs with item and rating counts. */
  async listRuns(): Promise<RunSummary[]> {
    const res = await this.request('runs', () => ({ headers: { accept: 'application/json' } }));
    if (!res.ok) throw await this.failure(res, 'list runs');
    return z.array(RunSummarySchema).parse(await res.json());
  }

  /** `GET /scores.csv`, optionally one run and only each rater's latest submission per item. */
  async scoresCsv(options: { run?: string; latest?: boolean } = {}): Promise<string> {
    const q = new URLSearchParams();
    if (options.run) q.set('run', options.run);
    if (options.latest) q.set('latest', '1');
    const query = q.size ? `?${q}` : '';
    const res = await this.request(`scores.csv${query}`, () => ({ headers: { accept: 'text/csv' } }));
    if (!res.ok) throw await this.failure(res, 'download scores');
    return res.text();
  }

  /** `GET` a JSON resource (e.g. `runs/ID/stats`); `what` names it in the error message. */
  async getJson(pathAndQuery: string, what: string): Promise<unknown> {
    const res = await this.request(pathAndQuery, () => ({ headers: { accept: 'application/json' } }));
    if (!res.ok) throw await this.failure(res, what);
    return res.json();
  }

  private async failure(res: Response, what: string): Promise<CliFailure> {
    const body = await errorBody(res);
    if (res.status === 401) {
      return new CliFailure(
        `could not ${what} from ${this.url}: it needs the raters' access code (${body.message ?? '401'}); set SCORE_ACCESS_CODE.`,
      );
    }
    return new CliFailure(
      `could not ${what} from ${this.url}: ${res.status} ${body.message ?? res.statusText}`,
    );
  }
}

async function errorBody(res: Response): Promise<z.infer<typeof ErrorBodySchema>> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON (a proxy's error page): keep the first line as the message.
  }
  const first = text.trim().split('\n')[0]?.slice(0, 200);
  return first ? { message: first } : {};
}
