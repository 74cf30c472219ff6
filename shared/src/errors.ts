import { z } from 'zod';

/** The body of every error response: a stable machine code and a sentence for people. */
export const ApiErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  requestId: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** Base of the typed errors; `code` is what clients see in `error`, `status` the HTTP status. */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** The thing asked for does not exist (or must not be revealed). */
export class NotFound extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  override readonly name = 'NotFound';
}

/** The request is malformed or fails validation; the message names the field. */
export class Invalid extends AppError {
  readonly status = 400;
  readonly code = 'invalid';
  override readonly name = 'Invalid';
}

/** The request conflicts with what exists (e.g. a run that is already there). */
export class Conflict extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
  override readonly name = 'Conflict';
}

/** A create-only or compare-and-swap write found a different generation (GCS 412). */
export class PreconditionFailed extends AppError {
  readonly status = 412;
  readonly code = 'precondition_failed';
  override readonly name = 'PreconditionFailed';
}

/** The caller is not allowed to do this (missing or wrong token). */
export class Unauthorized extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  override readonly name = 'Unauthorized';
}

/** Allowed to no one here, e.g. uploads when the server has no upload token. */
export class Forbidden extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
  override readonly name = 'Forbidden';
}

/** A body or upload over the configured limits. */
export class TooLarge extends AppError {
  readonly status = 413;
  readonly code = 'too_large';
  override readonly name = 'TooLarge';
}

/** A dependency (the bucket) failed in a way the client may retry. */
export class Unavailable extends AppError {
  readonly status = 503;
  readonly code = 'unavailable';
  override readonly name = 'Unavailable';
}
