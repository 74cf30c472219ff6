import { AppError, NotFound, Unavailable } from '@fts/shared';

/** Exit codes: the Unix convention the CLI promises. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The command line asked for something impossible (missing option, bad value); exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure whose message already says what happened and what to do next; exit code 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    /** Extra lines printed after the message (e.g. the problems a server reported). */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/** A one-line message for an error, without stack traces for expected ones. */
export function messageFor(error: unknown): string {
  if (error instanceof UsageError || error instanceof CliFailure || error instanceof AppError)
    return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The next step after a Cloud Storage failure (`--to`/`--from gs://…`), whose own message
 * says what failed but not what to do about it; undefined for any other error.
 */
export function storeHint(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.message.startsWith('GcsStore gs://')) return undefined;
  const cause = (error as { cause?: unknown }).cause;
  const text = `${error.message} ${cause instanceof Error ? cause.message : ''}`;
  if (/credential|invalid_grant|\b40[13]\b|permission|forbidden|unauthori[sz]ed/i.test(text)) {
    return 'check your Google credentials (gcloud auth application-default login) and that they may use the bucket';
  }
  if (error instanceof Unavailable || /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(text)) {
    return (
      'Cloud Storage could not be reached: check your network (and STORAGE_EMULATOR_HOST, if set), ' +
      'then run the same command again; an upload goes on where it stopped'
    );
  }
  if (error instanceof NotFound) return 'check that the bucket exists and its name is right';
  return undefined;
}
