import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { FileStore } from '@fts/shared/node';
import { DEFAULT_CLIENT_DIR } from '../../server/src/app';
import { testApp } from '../helpers/app';
import { demoStore, RUN, SigningStore } from './fixture';

/**
 * The content security policy against the real rater app in Chromium: the app and its
 * videos load with no violation, whether the video is streamed by the app or comes from
 * the signed-URL host; media from any other host is blocked.
 */

let store: FileStore;
let cleanup: () => Promise<void>;
let browser: Browser;
const servers: Server[] = [];

function listen(app: ReturnType<typeof testApp>): Promise<string> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    servers.push(server);
  });
}

type Seen = { violations: string[]; media: string[] };

/**
 * zod (bundled for validation) probes once whether `new Function` is allowed and falls back
 * to plain code when it is not; the policy rightly blocks the probe. Anything else counts.
 */
const ZOD_EVAL_PROBE = 'script-src eval';

/** Open the scoring view of the example run; report CSP violations and media requests. */
async function openScoring(origin: string): Promise<Seen> {
  const page = await browser.newPage();
  const seen: Seen = { violations: [], media: [] };
  page.on('request', (r) => {
    if (r.resourceType() === 'media' || r.url().includes('/videos/')) seen.media.push(r.url());
  });
  await page.exposeFunction('reportViolation', (v: string) => seen.violations.push(v));
  // Browser-side code as text: the tests are type-checked without the DOM library.
  await page.addInitScript({
    content: `localStorage.setItem('fts.rater', 'csp-check');
      document.addEventListener('securitypolicyviolation', (e) =>
        window.reportViolation(e.effectiveDirective + ' ' + e.blockedURI));`,
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text()) && !/eval/.test(m.text()))
      seen.violations.push(`console: ${m.text()}`);
  });
  await page.goto(`${origin}/#/run/${RUN}`);
  await page.waitForSelector('video');
  // Give the video element time to request its source (and follow a redirect).
  await page
    .waitForFunction(
      `(() => { const v = document.querySelector('video');
        return !!v && (v.readyState > 0 || v.error !== null || v.networkState === 3); })()`,
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  await page.close();
  seen.violations = seen.violations.filter((v) => v !== ZOD_EVAL_PROBE);
  return seen;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(DEFAULT_CLIENT_DIR, 'index.html'))) {
    throw new Error('the rater app is not built: run `npm run build` first');
  }
  ({ store, cleanup } = await demoStore());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await cleanup();
});

describe('content security policy in a browser', () => {
  it('lets the app, its API and its streamed video load with no violation', async () => {
    const origin = await listen(testApp(store));
    const seen = await openScoring(origin);
    expect(seen.violations).toEqual([]);
    expect(seen.media.some((u) => u.startsWith(`${origin}/videos/`))).toBe(true);
  });

  it('allows media from the signed-URL host, and from no other', async () => {
    // A second server stands in for storage.googleapis.com, serving what the signed URLs name.
    const mediaHost = await listen(testApp(store));
    const signing = new SigningStore(store, [], `${mediaHost}/videos`);

    const allowed = await listen(testApp(signing, undefined, { SIGNED_URL_ORIGIN: mediaHost }));
    const ok = await openScoring(allowed);
    expect(ok.violations).toEqual([]);
    expect(ok.media.some((u) => u.startsWith(`${mediaHost}/videos/`))).toBe(true);

    const other = await listen(
      testApp(signing, undefined, { SIGNED_URL_ORIGIN: 'https://storage.googleapis.com' }),
    );
    const blocked = await openScoring(other);
    // The event names the URL before the redirect; the console names the host it was refused.
    expect(blocked.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^media-src http:\/\/127\.0\.0\.1:\d+\/videos\//),
        expect.stringMatching(new RegExp(`^console: Loading media from +'${mediaHost}/videos/.*media-src`)),
      ]),
    );
  });
});
