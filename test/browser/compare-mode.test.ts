import type { Page } from 'playwright-core';
import type { Submission } from '@fts/shared';
import { tieBreak } from '../../server/src/allocation';
import { openBrowser, RUN_A, RUN_B, snap, startServer, type TestBrowser, type TestServer } from './harness';

/** The first score given in a pair, and the second: they tell the two outputs apart in the ledger. */
const FIRST = 2;
const SECOND = 4;

/** What would tell the runs apart: their IDs, and the models and prompts their records name. */
const GIVEAWAYS = [
  RUN_A,
  RUN_B,
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'task_segmentation_v4',
  'task_segmentation_v5',
];

/** True when the page's markup (text, attributes, folded details) or its title names either run. */
async function namesARun(page: Page): Promise<boolean> {
  const html = await page.evaluate(() => document.documentElement.outerHTML + document.title);
  return GIVEAWAYS.some((r) => html.includes(r));
}

/** Start as `rater` and rate every shared video of the two runs by keyboard, to All done. */
async function rateAll(page: Page, server: TestServer, rater: string, fromResults: boolean): Promise<number> {
  await page.goto(server.url);
  await page.getByLabel('Your rater ID').fill(rater);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator(`a[data-run="${RUN_A}"]`).waitFor();
  if (fromResults) {
    await page.goto(`${server.url}/#/results/${RUN_A}/vs/${RUN_B}`);
    await page.getByRole('link', { name: 'Rate these two runs blind' }).click();
  } else {
    await page.goto(`${server.url}/#/compare/${RUN_A}/${RUN_B}`);
  }
  // The videos both runs cover, as the server counts them.
  const res = await fetch(`${server.url}/compare/next?a=${RUN_A}&b=${RUN_B}&rater=${rater}`);
  const { total } = ((await res.json()) as { progress: { total: number } }).progress;
  expect(total).toBeGreaterThanOrEqual(2);
  for (let video = 1; video <= total; video++) {
    for (const [n, score] of [
      [1, FIRST],
      [2, SECOND],
    ] as const) {
      await page.locator('.output-label', { hasText: `Output ${n}` }).waitFor();
      await page.locator('.item-title').waitFor();
      await expect(page.locator('.progress-text').textContent()).resolves.toBe(`${video} of ${total} videos`);
      await expect(namesARun(page)).resolves.toBe(false);
      if (video === 1 && n === 1) await snap(page, `compare-${rater}`);
      await page.keyboard.press(String(score));
      await page.keyboard.press('Enter');
    }
  }
  await page.getByRole('heading', { name: 'All done' }).waitFor();
  await expect(page.locator('.progress-text').textContent()).resolves.toBe(`${total} of ${total} videos`);
  return total;
}

/** The run whose output each video showed first, from the rater's scores as the server holds them. */
async function firstShown(server: TestServer, rater: string, total: number): Promise<Map<string, string>> {
  const res = await fetch(`${server.url}/scores?rater=${encodeURIComponent(rater)}`);
  expect(res.status).toBe(200);
  const subs = (await res.json()) as Submission[];
  expect(subs).toHaveLength(2 * total);
  const first = new Map<string, string>();
  for (const item of new Set(subs.map((s) => s.item_id))) {
    const pair = subs.filter((s) => s.item_id === item);
    // Each video is scored once in each run, one output with each score.
    expect(pair.map((s) => s.run_id).sort()).toEqual([RUN_A, RUN_B]);
    expect(pair.map((s) => s.answers.overall).sort()).toEqual([FIRST, SECOND]);
    first.set(item, (pair.find((s) => s.answers.overall === FIRST) as Submission).run_id);
  }
  return first;
}

describe('comparison mode in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startServer();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rates each shared video in both runs blind, in an order counterbalanced between raters', async () => {
    // Two raters the server starts on different runs (its per-rater order decides which).
    const parity = (r: string): number => parseInt(tieBreak(r, 'order').slice(0, 1), 16) % 2;
    const one = 'blind.one';
    const two = ['blind.two', 'blind.three', 'blind.four', 'blind.five'].find(
      (r) => parity(r) !== parity(one),
    );
    expect(two).toBeDefined();

    const page = await browser.context.newPage();
    const total = await rateAll(page, server, one, true);
    await page.evaluate(() => localStorage.clear());
    await rateAll(page, server, two as string, false);
    await page.close();

    // The queue sends in the background: wait until the ledger holds them all.
    for (let i = 0; i < 100; i++) {
      if ((await server.scores(one)).length + (await server.scores(two as string)).length >= 4 * total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const a = await firstShown(server, one, total);
    const b = await firstShown(server, two as string, total);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    // Neither run always comes first for a rater, and the raters differ on some video.
    expect(new Set(a.values()).size).toBe(2);
    expect([...a.keys()].some((v) => a.get(v) !== b.get(v))).toBe(true);
  });
});
