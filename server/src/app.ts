import express, { type Express } from 'express';
import helmet from 'helmet';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LedgerOptions, ObjectStore } from '@fts/shared/node';
import type { Config } from './config';
import { createContext, type AppContext } from './context';
import { errorHandler, notFoundHandler } from './errors';
import { runsRouter } from './routes/runs';
import { scoresRouter } from './routes/scores';
import { videosRouter } from './routes/videos';

export interface AppOptions {
  config: Config;
  store: ObjectStore;
  /** Server clock (for `submitted_at`); tests pass a fixed one. */
  clock?: () => Date;
  /** Score ledger tuning. */
  ledger?: LedgerOptions;
}

export const DEFAULT_CLIENT_DIR = path.resolve(__dirname, '../../client/dist');

/** Build the Express app without listening; `main.ts` listens. */
export function createApp(options: AppOptions): Express & { context: AppContext } {
  const ctx = createContext(options.store, options.clock, options.ledger);
  const app = express() as Express & { context: AppContext };
  app.context = ctx;
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          mediaSrc: ["'self'", 'https://storage.googleapis.com'],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
        },
      },
    }),
  );
  app.use(express.json({ limit: '64kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, storage: ctx.store.url });
  });
  app.use(runsRouter(ctx));
  app.use(scoresRouter(ctx));
  app.use(videosRouter(ctx));

  const clientDir = options.config.clientDir ?? DEFAULT_CLIENT_DIR;
  if (fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h' }));
  }
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
