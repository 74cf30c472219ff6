import { openStore } from '@fts/shared/node';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { loadDemo } from './demo';
import { shutDown, startCompactor } from './lifecycle';

/** Cloud Run sends SIGKILL this long after SIGTERM; exit before it, whatever happens. */
const SHUTDOWN_DEADLINE_MS = 9000;
/** How long in-flight requests get to finish after SIGTERM. */
const REQUEST_GRACE_MS = 5000;

/** The only place that reads the environment and listens. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const store = await openStore(config.storageUrl);
  const isFile = config.storageUrl.startsWith('file://');
  if (config.loadDemo === 'always' || (config.loadDemo === 'auto' && isFile)) {
    const loaded = await loadDemo(store);
    if (loaded.length) console.log(`loaded demo runs: ${loaded.join(', ')}`);
  }
  const pauseMs = config.compactionTestPauseMs;
  const app = createApp({
    config,
    store,
    ...(pauseMs > 0 ? { ledger: { afterCsvWrite: () => new Promise((r) => setTimeout(r, pauseMs)) } } : {}),
  });
  const { ledger } = app.context;
  const server = app.listen(config.port, () => {
    console.log(`Factory Task Scoring on http://localhost:${config.port} (storage: ${store.url})`);
  });
  const compactor = startCompactor(ledger, config.compactionIntervalMs, (e) =>
    console.error(`compaction failed: ${String(e)}`),
  );

  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests, then a last compaction`);
    setTimeout(() => {
      console.error('shutdown took too long; pending submissions stay durable for the next compaction');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    shutDown(server, compactor, ledger, REQUEST_GRACE_MS)
      .then((r) => {
        console.log(`last compaction: ${r.folded} folded, ${r.dropped} dropped`);
        process.exit(0);
      })
      .catch((e: unknown) => {
        console.error(`last compaction failed: ${String(e)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

void main();
