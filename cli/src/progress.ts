import { Presets, SingleBar } from 'cli-progress';
import { say, type OutStream } from './io';

/** Counts of an upload in progress. */
export interface Progress {
  /** One more file done. */
  tick(outcome: 'sent' | 'unchanged'): void;
  /** Finish: the bar stays on screen, piped output gets a final line. */
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  /** What is being counted, e.g. "upload". */
  label: string;
  stream: OutStream;
  /** Milliseconds between two plain lines when piped; default 1000. */
  lineIntervalMs?: number;
  now?: () => number;
}

function rate(done: number, startedAt: number, now: number): string {
  const seconds = (now - startedAt) / 1000;
  return seconds > 0 ? (done / seconds).toFixed(0) : '-';
}

/**
 * A progress bar with counts and rate on a terminal (cli-progress), plain lines when piped:
 * at most one a second, and one at the end, so logs stay readable for thousands of files.
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const startedAt = now();
  let sent = 0;
  let unchanged = 0;
  const done = () => sent + unchanged;

  if (options.stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${options.label} [{bar}] {value}/{total} files | {sent} sent, {unchanged} unchanged | {rate} files/s | ETA {eta_formatted}`,
        stream: options.stream as NodeJS.WritableStream,
        hideCursor: true,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(options.total, 0, { sent, unchanged, rate: '-' });
    return {
      tick(outcome) {
        if (outcome === 'sent') sent++;
        else unchanged++;
        bar.update(done(), { sent, unchanged, rate: rate(done(), startedAt, now()) });
      },
      stop() {
        bar.stop();
      },
    };
  }

  const interval = options.lineIntervalMs ?? 1000;
  let lastLine = startedAt;
  const line = () =>
    say(
      options.stream,
      `${options.label}: ${done()}/${options.total} files (${sent} sent, ${unchanged} unchanged), ${rate(done(), startedAt, now())} files/s`,
    );
  return {
    tick(outcome) {
      if (outcome === 'sent') sent++;
      else unchanged++;
      if (now() - lastLine >= interval && done() < options.total) {
        lastLine = now();
        line();
      }
    },
    stop() {
      // Nothing done (e.g. the run already exists): the error says why, no zero line needed.
      if (done() > 0) line();
    },
  };
}
