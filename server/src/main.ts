import { openStore } from '@fts/shared/node';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { loadDemo } from './demo';

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
  const app = createApp({ config, store });
  const { ledger } = app.context;
  const server = app.listen(config.port, () => {
    console.log(`Factory Task Scoring on http://localhost:${config.port} (storage: ${store.url})`);
  });

  let timer: NodeJS.Timeout | undefined;
  if (config.compactionIntervalMs > 0) {
    const tick = (): void => {
      ledger
        .compact()
        .catch((e: unknown) => console.error(`compaction failed: ${String(e)}`))
        .finally(() => (timer = setTimeout(tick, config.compactionIntervalMs)));
    };
    timer = setTimeout(tick, config.compactionIntervalMs);
  }

  const shutdown = (signal: string): void => {
    console.log(`${signal}: finishing in-flight requests`);
    if (timer) clearTimeout(timer);
    server.close(() => {
      ledger
        .compact()
        .catch((e: unknown) => console.error(`last compaction failed: ${String(e)}`))
        .finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 9000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
