import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO, tempDir } from '../helpers/tmp';

const A = 'run_20261115_101500';
const B = 'run_20261116_093000';
const ARTIFACTS = path.join(REPO, 'test/artifacts');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('the results page in Chromium against a real server', () => {
  let server: ChildProcess;
  let browser: Browser;
  let base: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir());
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn('node', [path.join(REPO, 'server/dist/main.js')], {
      env: {
        ...process.env,
        PORT: String(port),
        STORAGE_URL: `file://${dir}`,
        LOAD_DEMO: 'always',
        COMPACTION_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Three careful raters and one who gives every clip a 1.
    let n = 0;
    const items = ['line3_cam01_clip0047', 'line3_cam02_clip0112', 'packing_cam04_clip0008'];
    for (const [k, rater] of ['ann', 'bob', 'cid', 'zed'].entries()) {
      for (const [i, item] of [...items, ...(k < 2 ? ['line3_cam01_clip0050'] : [])].entries()) {
        for (const [run, base0] of [
          [A, 4],
          [B, 2],
        ] as const) {
          if (run === B && item.endsWith('0050')) continue;
          const overall = rater === 'zed' ? 1 : Math.min(5, base0 + ((i + k) % 2));
          const res = await fetch(`${base}/scores`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              submission_id: `sub-${String(++n).padStart(8, '0')}`,
              rater_id: rater,
              run_id: run,
              item_id: item,
              answers: { overall },
            }),
          });
          expect(res.status).toBe(201);
        }
      }
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    await fs.mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (server?.pid && server.exitCode === null) {
      // SIGTERM makes the server fold pending scores and exit; wait for it before removing its folder.
      const exited = new Promise((resolve) => server.once('exit', resolve));
      process.kill(server.pid);
      await exited;
    }
    await cleanup();
  });

  it('shows one run: coverage, mean with interval, distribution, agreement, rater deviation', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Content-security-policy refusals (e.g. an inline style attribute) are console errors.
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${base}/#/results/${A}`);
    await page.getByRole('heading', { name: `Results: ${A}` }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'results-run.png'), fullPage: true });
    expect(await page.getByText('Coverage: 3 of 4 items have 3+ ratings').count()).toBe(1);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBeGreaterThanOrEqual(5);
    const mean = page.getByRole('img', { name: 'Mean of Overall quality of the model output' });
    // The point, the interval bar and its direct label.
    expect(await mean.locator('circle').count()).toBe(1);
    expect(await mean.textContent()).toMatch(/\d\.\d\d \[\d\.\d\d, \d\.\d\d\]\s+n=4/);
    const deviation = page.getByRole('img', {
      name: 'Rater deviation for Overall quality of the model output',
    });
    // The careless rater is listed first and drawn in red.
    expect(await deviation.locator('text').nth(0).textContent()).toBe('zed');
    expect(await deviation.locator('circle').first().getAttribute('fill')).toBe('#b00020');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('compares two runs picked in the compare picker', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Content-security-policy refusals (e.g. an inline style attribute) are console errors.
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${base}/#/results`);
    await page.getByLabel('Compare A').selectOption(A);
    await page.getByLabel('with B').selectOption(B);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('heading', { name: 'Compare runs' }).waitFor();
    expect(page.url()).toBe(`${base}/#/results/${A}/vs/${B}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'results-compare.png'), fullPage: true });
    expect(await page.getByText('Paired by video: 2 videos are in both runs.').count()).toBe(1);
    const diff = page.getByRole('img', { name: 'Difference in Overall quality of the model output' });
    expect(await diff.textContent()).toMatch(/A − B\+\d\.\d\d \[[+-]?\d\.\d\d, [+-]?\d\.\d\d\]/);
    const wins = page.getByRole('img', { name: 'Wins by video for Overall quality of the model output' });
    expect(await wins.textContent()).toBe('A higher: 2tie: 0B higher: 0');
    expect(await page.getByText(/Wilcoxon signed-rank: p = 0\.500 \(exact, n = 2\)/).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
