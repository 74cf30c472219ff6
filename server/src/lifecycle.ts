import type { Server } from 'node:http';
import type { CompactionResult, ScoreLedger } from '@fts/shared/node';

/** Background compaction: a round every `intervalMs` (0: never), one at a time. */
export interface Compactor {
  /** No more rounds; resolves when the one running (if any) has finished. */
  stop(): Promise<void>;
}

export function startCompactor(
  ledger: ScoreLedger,
  intervalMs: number,
  onError: (e: unknown) => void,
): Compactor {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    ledger
      .compact()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  if (intervalMs > 0) timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ledger.idle();
    },
  };
}

/**
 * Stop accepting connections and wait for the requests in flight to be answered; after
 * `graceMs`, close whatever is still open. Keep-alive connections are closed as soon as
 * they fall idle, so a client holding one open does not delay the exit.
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Graceful shutdown, for Cloud Run's SIGTERM (it sends SIGKILL 10 s later): stop taking
 * requests, let in-flight submissions finish, stop background compaction, and fold what is
 * pending one last time. Dying before the end loses nothing: a submission is durable before
 * it is answered, and a compaction cut short is finished by the next one, on any instance.
 */
export async function shutDown(
  server: Server,
  compactor: Compactor,
  ledger: ScoreLedger,
  graceMs: number,
): Promise<CompactionResult> {
  await closeServer(server, graceMs);
  await compactor.stop();
  return ledger.compact({ waitForWindow: true });
}
