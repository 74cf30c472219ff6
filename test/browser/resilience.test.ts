import type { Page } from 'playwright-core';
import {
  openBrowser,
  publishItems,
  RUN_A,
  RUN_B,
  shownItem,
  snap,
  startServer,
  videoSettled,
  type TestBrowser,
  type TestServer,
} from './harness';

/** Open the app as `rater` (typed into the start form), on `hash`. */
async function openAs(page: Page, server: TestServer, rater: string, hash = ''): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Your rater ID').fill(rater);
  await page.getByLabel('Your rater ID').press('Enter');
  await page.locator('.run-link').first().waitFor();
  if (hash) await page.goto(`${server.url}/${hash}`);
}

const queueLength = (page: Page): Promise<number> =>
  page.evaluate(() => (JSON.parse(localStorage.getItem('fts.queue.v1') ?? '[]') as unknown[]).length);

describe('the rater app never loses or doubles a score', () => {
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

  it('keeps a score made offline through a closed tab, and saves it once when the network is back', async () => {
    const { context } = browser;
    const page = await context.newPage();
    await openAs(page, server, 'offline-rater', `#/run/${RUN_B}`);
    const first = await shownItem(page);
    expect(await videoSettled(page)).toBe('playing');

    await context.setOffline(true);
    await page.keyboard.press('3');
    await page.keyboard.press('Enter');
    // The next item is there at once (its video was preloaded), the score is kept locally.
    expect(await shownItem(page)).not.toBe(first);
    expect(await videoSettled(page)).toBe('playing');
    await page.locator('#sync', { hasText: /1 score waiting/ }).waitFor();
    await snap(page, '08-offline-pending');
    expect(await queueLength(page)).toBe(1);
    expect(await server.scores('offline-rater')).toEqual([]);
    await page.close();

    await context.setOffline(false);
    const again = await context.newPage();
    await again.goto(server.url);
    await again.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    expect(await queueLength(again)).toBe(0);
    const scores = await server.scores('offline-rater');
    expect(scores.map((s) => [s.item_id, s.answers.overall])).toEqual([[first, 3]]);
    await again.close();
  });

  it('does not offer an item whose score is still queued, and a lost answer does not double it', async () => {
    const { context } = browser;
    const posts: string[] = [];
    let mode: 'refuse' | 'lose-answer' | 'pass' = 'refuse';
    let answerLost: () => void = () => undefined;
    const lost = new Promise<void>((resolve) => (answerLost = resolve));
    await context.route('**/scores', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts.push((route.request().postDataJSON() as { submission_id: string }).submission_id);
      if (mode === 'refuse') return route.abort('internetdisconnected');
      if (mode === 'lose-answer') {
        mode = 'pass';
        await route.fetch(); // the server records it, the browser never hears back
        await route.abort('connectionreset');
        answerLost();
        return;
      }
      return route.continue();
    });

    const page = await context.newPage();
    await openAs(page, server, 'flaky-rater', `#/run/${RUN_A}`);
    const first = await shownItem(page);
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      (JSON.parse(localStorage.getItem('fts.queue.v1') ?? '[]') as { attempts: number }[]).some(
        (q) => q.attempts > 0,
      ),
    );
    // The server knows nothing of it and would hand the same item out again...
    const next = (await (await fetch(`${server.url}/runs/${RUN_A}/next?rater=flaky-rater`)).json()) as {
      item: { id: string };
    };
    expect(next.item.id).toBe(first);
    // ...but a fresh tab (nothing remembered but the queue) does not offer it.
    const tab = await context.newPage();
    await tab.goto(`${server.url}/#/run/${RUN_A}`);
    expect(await shownItem(tab)).not.toBe(first);
    await expect(tab.locator('.progress-text').textContent()).resolves.toBe('1 of 4 scored');

    // Only the fresh tab sends from here on; the rater presses "Retry now" after each failure.
    await page.close();
    mode = 'lose-answer';
    await tab.getByRole('button', { name: /Retry now/ }).click();
    await lost;
    await tab.getByRole('button', { name: /Retry now/ }).click();
    await tab.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    const sent = posts.filter((id) => id === posts[0]);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    const scores = await server.scores('flaky-rater');
    expect(scores.map((s) => [s.submission_id, s.item_id, s.answers.overall])).toEqual([
      [posts[0], first, 2],
    ]);
    await context.unroute('**/scores');
    await tab.close();
  });

  it('resumes on the same item after a reload in the middle of a run', async () => {
    const page = await browser.context.newPage();
    await openAs(page, server, 'reload-rater');
    await page.locator(`a[data-run="${RUN_A}"]`).click();
    const first = await shownItem(page);
    await page.keyboard.press('4');
    await page.keyboard.press('Enter');
    const second = await shownItem(page);
    expect(second).not.toBe(first);
    await page.locator('#sync', { hasText: 'All scores saved' }).waitFor();

    await page.reload();
    expect(await shownItem(page)).toBe(second);
    await expect(page.locator('.progress-text').textContent()).resolves.toBe('1 of 4 scored');
    await expect(page.locator('input[name="overall"]:checked').count()).resolves.toBe(0);
    // Leaving for the run list and coming back lands on the same item too.
    await page.getByRole('link', { name: '← Runs' }).click();
    await page.locator(`a[data-run="${RUN_A}"]`).click();
    expect(await shownItem(page)).toBe(second);
    await expect(page.locator(`a[data-run]`).count()).resolves.toBe(0);
    await page.close();
  });

  it('shows markup in the model output as text, never as HTML', async () => {
    const payload = '<img src=x onerror="window.__pwned=1">';
    await publishItems(server.store, 'run_markup', [
      {
        video_uri: 'gs://buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4',
        model: '<b>bold-model</b>',
        error: '<i>partial</i> failure',
        output: {
          summary: payload,
          '<script>window.__pwned=2</script>': 'a key with markup',
          segments: [{ start: 0, end: 2, action: `<svg onload="window.__pwned=3">step</svg>` }],
        },
      },
    ]);
    const page = await browser.context.newPage();
    await openAs(page, server, 'markup-rater', '#/run/run_markup');
    await shownItem(page);
    await page.getByText(payload).first().waitFor();
    await snap(page, '09-markup-as-text');
    const body = await page.locator('main').innerText();
    expect(body).toContain(payload);
    expect(body).toContain('<script>window.__pwned=2</script>');
    expect(body).toContain('<svg onload="window.__pwned=3">step</svg>');
    expect(body).toContain('<i>partial</i> failure');
    await expect(page.locator('main img, main script, main svg, main i, main b').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await page.close();
  });

  it('asks for an access code when the server requires one, and sends it as X-Access-Code', async () => {
    const seen: (string | undefined)[] = [];
    const gated = await startServer({
      gate: (req, res, next) => {
        if (!/^\/(runs|scores)/.test(req.path)) return next();
        const code = req.get('x-access-code');
        seen.push(code);
        if (code === 'open-sesame') return next();
        res.status(401).json({ error: 'access_code_required', message: 'this server needs an access code' });
      },
    });
    try {
      const page = await browser.context.newPage();
      await page.goto(gated.url);
      await page.evaluate(() => localStorage.removeItem('fts.accessCode'));
      await page.getByLabel('Your rater ID').fill('code-rater');
      await page.getByLabel('Your rater ID').press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Access code' });
      await dialog.getByText('This server needs an access code.').waitFor();
      await dialog.getByLabel('Code').fill('guess');
      await dialog.getByLabel('Code').press('Enter');
      await dialog.getByText('That code was not accepted').waitFor();
      await snap(page, '10-access-code');
      await dialog.getByLabel('Code').fill('open-sesame');
      await dialog.getByLabel('Code').press('Enter');
      await page.locator(`a[data-run="${RUN_A}"]`).waitFor();
      expect(seen).toContain('guess');
      expect(seen.at(-1)).toBe('open-sesame');
      await page.close();
    } finally {
      await gated.close();
    }
  });
});
