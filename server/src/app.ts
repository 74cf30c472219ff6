import express, { type Express } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LedgerOptions, ObjectStore } from '@fts/shared/node';
import { accessGate } from './access';
import type { Config } from './config';
import { createContext, type AppContext } from './context';
import { errorHandler, notFoundHandler } from './errors';
import { createLogger, requestId, requestLogger, type LogDestination } from './logging';
import { openApiDocument } from './openapi';
import { runsRouter } from './routes/runs/runs';
import { scoresRouter } from './routes/scores/scores';
import { statsRouter } from './routes/stats';
import { videosRouter } from './routes/videos/videos';
import { securityHeaders, writeLimit } from './security';

export interface AppOptions {
  config: Config;
  store: ObjectStore;
  /** Server clock (for `submitted_at` and signed-URL reuse); tests pass a controllable one. */
  clock?: () => Date;
  /** Where request and error logs go when `config.logRequests` is on; stdout by default. */
  logDestination?: LogDestination;
  /** Score ledger tuning. */
  ledger?: LedgerOptions;
}

export const DEFAULT_CLIENT_DIR = path.resolve(__dirname, '../../client/dist');

const VERSION = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string }
).version;

/** Build the Express app without listening; `main.ts` listens. */
export function createApp(options: AppOptions): Express & { context: AppContext } {
  const { config } = options;
  const log = createLogger(config.logRequests, options.logDestination);
  const ctx = createContext(config, options.store, log, options.clock, options.ledger);
  const app = express() as Express & { context: AppContext };
  app.context = ctx;
  app.disable('x-powered-by');
  // The client address (for rate limits and logs) is read from this many proxies' X-Forwarded-For.
  app.set('trust proxy', config.trustProxyHops);
  app.use(requestId);
  app.use(requestLogger(log, config.project));
  app.use(securityHeaders(config));
  app.use(accessGate(config));
  app.use(express.json({ limit: config.jsonBodyLimitBytes }));

  const limit = writeLimit(config);
  const openapi = openApiDocument(VERSION);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, storage: ctx.store.url });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const target = config.targetRatingsPerItem;
  app.use(statsRouter(ctx, { target }));
  app.use(runsRouter(ctx, limit, { target }));
  app.use(scoresRouter(ctx, limit));
  app.use(videosRouter(ctx));

  const clientDir = config.clientDir ?? DEFAULT_CLIENT_DIR;
  if (fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h' }));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
