import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { FileStore, LOCAL_BUCKET, publishRun, scanRunFolder } from '@fts/shared/node';
import type { Submission } from '@fts/shared';
import { createApp, DEFAULT_CLIENT_DIR } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { loadDemo, uploadFromScan } from '../../server/src/demo';
import { REPO, tempDir } from '../helpers/tmp';

export const ARTIFACTS = path.join(REPO, 'test/artifacts');
export const RUN_A = 'run_20261115_101500';
export const RUN_B = 'run_20261116_093000';

/** Debian's Chromium, with the flags CI uses; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestServer {
  url: string;
  store: FileStore;
  /** Submissions the server holds for a rater (the ledger, not the browser). */
  scores(rater: string): Promise<Submission[]>;
  close(): Promise<void>;
}

/**
 * The real app on a FileStore in a temp folder, loaded with the example runs, listening on
 * 127.0.0.1 port 0. `gate` puts a middleware in front (e.g. an access-code check).
 */
export async function startServer(options: { gate?: RequestHandler } = {}): Promise<TestServer> {
  if (!fs.existsSync(path.join(DEFAULT_CLIENT_DIR, 'index.html'))) {
    throw new Error(`no built client in ${DEFAULT_CLIENT_DIR}: run npm run build first`);
  }
  const { dir, cleanup } = await tempDir('fts-browser-');
  const store = new FileStore(dir, LOCAL_BUCKET);
  await loadDemo(store);
  const app = createApp({ config: loadConfig({ LOG_REQUESTS: 'false' }), store });
  const outer = express();
  if (options.gate) outer.use(options.gate);
  outer.use(app);
  const server: Server = await new Promise((resolve) => {
    const s = outer.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    async scores(rater) {
      return (await app.context.ledger.all()).filter((s) => s.rater_id === rater);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cleanup();
    },
  };
}

/**
 * Publish a run made of the given item records (one JSON file each) into the store, plus
 * other files of the run folder by name (e.g. `rubric.json`).
 */
export async function publishItems(
  store: FileStore,
  runId: string,
  records: Record<string, unknown>[],
  files: Record<string, unknown> = {},
): Promise<void> {
  const { dir, cleanup } = await tempDir('fts-run-');
  try {
    for (const [i, r] of records.entries()) {
      await fsp.writeFile(path.join(dir, `item_${String(i).padStart(2, '0')}.json`), JSON.stringify(r));
    }
    for (const [name, content] of Object.entries(files)) {
      await fsp.writeFile(path.join(dir, name), JSON.stringify(content));
    }
    const scan = await scanRunFolder(dir);
    await publishRun(store, uploadFromScan(runId, scan, 'test'));
  } finally {
    await cleanup();
  }
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile (its own --user-data-dir), at 1280×720; `args` add flags. */
export async function openBrowser(args: string[] = []): Promise<TestBrowser> {
  const { dir, cleanup } = await tempDir('fts-chromium-');
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...args],
    viewport: { width: 1280, height: 720 },
  });
  return {
    context,
    async close() {
      await context.close();
      await cleanup();
    },
  };
}

/** Save a screenshot of the page to test/artifacts/NAME.png. */
export async function snap(page: Page, name: string): Promise<void> {
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Resolves once the scoring view's video is playing (or has failed). */
export async function videoSettled(page: Page): Promise<'playing' | 'failed'> {
  const handle = await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('.screen video');
    if (!v) return undefined;
    if (v.error) return 'failed';
    return !v.paused && v.readyState >= 3 ? 'playing' : undefined;
  });
  return (await handle.jsonValue()) as 'playing' | 'failed';
}

/** The item id shown in the scoring view. */
export async function shownItem(page: Page): Promise<string> {
  const title = page.locator('.item-title');
  await title.waitFor();
  return ((await title.evaluate((h) => h.firstChild?.textContent)) ?? '').trim();
}
