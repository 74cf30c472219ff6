import { AppError } from '@fts/shared';

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
