import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, Invalid, type ApiError, type FileProblem } from '@fts/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** Parse with a zod schema, turning the first issue into `Invalid("field: message")`. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where = ''): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  // An unknown key is the field at fault itself (a query parameter, usually), not the body.
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = [where, ...(issue?.path ?? []).map(String), unknown].filter(Boolean).join('.');
  const message = unknown !== undefined ? 'not a known field' : (issue?.message ?? 'invalid');
  throw new Invalid(`${field || '(body)'}: ${message}`);
}

/** An upload whose files have problems; the response lists every one. */
export class InvalidFiles extends Invalid {
  constructor(readonly problems: FileProblem[]) {
    super(
      `${problems.length} problem(s) in the upload: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.reason}`)
        .join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  }
}

/** Send `{error, message, requestId}` with a status; every error response goes through here. */
export function sendError(res: Response, status: number, body: Omit<ApiError, 'requestId'> & object): void {
  const requestId = res.locals.requestId as string | undefined;
  res.status(status).json({ ...body, ...(requestId ? { requestId } : {}) });
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, { error: 'not_found', message: `no route for ${req.method} ${req.path}` });
};

/** Multer's error codes (multer/lib/multer-error.js) as statuses and sentences. */
const MULTER: Record<string, [number, string]> = {
  LIMIT_PART_COUNT: [413, 'too many parts in the upload'],
  LIMIT_FILE_SIZE: [413, 'a file is larger than the upload limit'],
  LIMIT_FILE_COUNT: [413, 'too many files in the upload'],
  LIMIT_FIELD_KEY: [400, 'a field name is too long'],
  LIMIT_FIELD_VALUE: [413, 'a field value is too long'],
  LIMIT_FIELD_COUNT: [413, 'too many fields in the upload'],
  LIMIT_UNEXPECTED_FILE: [400, 'unexpected file field: files must be sent as "files"'],
  MISSING_FIELD_NAME: [400, 'a part has no field name'],
};

/**
 * The one error handler: typed errors become their status; errors from body parsing and
 * multer become 4xx; anything else is a 500 whose details go to the log, never the client.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      log.error(
        { requestId: res.locals.requestId, err: String(err?.stack ?? err) },
        'error after headers sent',
      );
      next(err);
      return;
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
    if (err instanceof AppError) {
      const extra = err instanceof InvalidFiles ? { problems: err.problems } : {};
      sendError(res, err.status, { error: err.code, message: err.message, ...extra });
      return;
    }
    if (e.name === 'MulterError' && typeof e.code === 'string' && MULTER[e.code]) {
      const [status, message] = MULTER[e.code]!;
      sendError(res, status, {
        error: status === 413 ? 'too_large' : 'invalid',
        message: e.field ? `${message} (${String(e.field)})` : message,
      });
      return;
    }
    // body-parser and router errors carry a 4xx `status` (http-errors); `expose` says the
    // message is safe to show.
    const status =
      typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 0;
    if (status >= 400 && status < 500) {
      const message =
        e.type === 'entity.too.large'
          ? 'request body is too large'
          : e.type === 'entity.parse.failed'
            ? 'malformed JSON in the request body'
            : e.expose && typeof e.message === 'string'
              ? e.message
              : 'bad request';
      sendError(res, status, { error: status === 413 ? 'too_large' : 'invalid', message });
      return;
    }
    log.error(
      { requestId: res.locals.requestId, path: req.path, err: String(err?.stack ?? err) },
      'unhandled error',
    );
    sendError(res, 500, { error: 'internal', message: 'internal error; it has been logged' });
  };
}
