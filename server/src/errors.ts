import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type ApiError } from '@fts/shared';
import type { z } from 'zod';
import { Invalid } from '@fts/shared';

/** Parse with a zod schema, turning the first issue into `Invalid("field: message")`. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where = ''): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = [where, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw new Invalid(`${field || '(body)'}: ${issue?.message ?? 'invalid'}`);
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ApiError = { error: 'not_found', message: `no route for ${req.method} ${req.path}` };
  res.status(404).json(body);
};

/** The one error handler: typed errors become their status; anything else a logged 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  let status = 500;
  let body: ApiError = { error: 'internal', message: 'internal error; it has been logged' };
  if (err instanceof AppError) {
    status = err.status;
    body = { error: err.code, message: err.message };
  } else if (typeof err === 'object' && err !== null && 'type' in err && 'status' in err) {
    // body-parser errors: malformed JSON (400), too large (413), bad charset (415).
    const e = err as { type: string; status: number; message: string };
    status = e.status;
    body =
      e.type === 'entity.too.large'
        ? { error: 'too_large', message: 'request body is too large' }
        : e.type === 'entity.parse.failed'
          ? { error: 'invalid', message: `malformed JSON: ${e.message}` }
          : { error: 'invalid', message: e.message };
  }
  if (status >= 500)
    console.error(JSON.stringify({ severity: 'ERROR', message: String(err?.stack ?? err), path: req.path }));
  res.status(status).json(body);
};
