import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../helpers/tmp';
import {
  openBrowser,
  publishItems,
  RUN_A,
  shownItem,
  snap,
  startServer,
  videoSettled,
  type TestBrowser,
  type TestServer,
} from './harness';

const MISSING = 'line3_cam01_clip0050';

/** Open the app as `rater` (typed into the start form), then click the run. */
async function openRun(page: Page, server: TestServer, rater: string, run: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Your rater ID').fill(rater);
  await page.getByLabel('Your rater ID').press('Enter');
  await page.locator(`a[data-run="${run}"]`).click();
}

/** The scoring view once it has settled: an item, or the end of the open items. */
async function settled(page: Page): Promise<string> {
  const end = page.locator('.done h2');
  const title = page.locator('.item-title');
  await Promise.race([end.waitFor(), title.waitFor()]);
  return (await end.isVisible()) ? `end: ${await end.textContent()}` : shownItem(page);
}

const playLabel = (page: Page): Promise<string> =>
  page.locator('.controls .play').evaluate((b) => b.textContent ?? '');

/** The README's shortcut table as [keys, description] rows. */
function readmeShortcuts(): [string[], string][] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('| Keys ');
  const rows = readme.slice(start).split('\n');
  const table = rows.slice(
    2,
    rows.findIndex((l, i) => i > 0 && !l.startsWith('|')),
  );
  return table.map((line) => {
    const [keys = '', what = ''] = line
      .split(/(?<!`)\|(?!`)/)
      .slice(1, 3)
      .map((c) => c.trim());
    return [[...keys.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string), what];
  });
}

describe('rater app details in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startServer();
    await publishItems(
      server.store,
      'run_choice',
      [{ video_uri: 'gs://buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4', output: 'x' }],
      {
        'rubric.json': {
          criteria: [
            {
              id: 'segmentation',
              label: 'Step boundaries',
              type: 'choice',
              options: [
                { value: 'right', label: 'Right' },
                { value: 'wrong', label: 'Wrong' },
              ],
            },
          ],
        },
      },
    );
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('remembers a skipped item across tabs, leaves it out, and brings it back on request', async () => {
    const page = await browser.context.newPage();
    const nextUrls: string[] = [];
    const onRequest = (r: { url(): string }): void => {
      if (r.url().includes('/next?')) nextUrls.push(r.url());
    };
    browser.context.on('request', onRequest);
    await openRun(page, server, 'skip-rater', RUN_A);
    for (;;) {
      const item = await settled(page);
      if (item.startsWith('end:')) {
        expect(item).toBe('end: Only skipped items left');
        break;
      }
      if (item === MISSING) {
        expect(await videoSettled(page)).toBe('failed');
        // Nothing works but skipping: controls, rubric and their keys are off.
        const skip = page.locator('.video-problem').getByRole('button', { name: /Skip this item/ });
        await page.waitForFunction(() => document.activeElement?.closest('.video-problem') !== null);
        await expect(skip.evaluate((b) => b === document.activeElement)).resolves.toBe(true);
        const controls = page.locator('.controls button, .controls input, .controls select');
        expect(await controls.count()).toBeGreaterThan(6);
        await expect(
          controls.evaluateAll((cs) => cs.every((c) => (c as HTMLButtonElement).disabled)),
        ).resolves.toBe(true);
        await expect(page.locator('input[name="overall"][value="4"]').isDisabled()).resolves.toBe(true);
        await expect(page.getByRole('button', { name: /^Submit/ }).isDisabled()).resolves.toBe(true);
        await page.keyboard.press('4');
        await page.keyboard.press('m');
        await expect(page.locator('input[name="overall"]:checked').count()).resolves.toBe(0);
        await expect(page.locator('.screen video').evaluate((v: HTMLVideoElement) => v.muted)).resolves.toBe(
          false,
        );
        expect(await shownItem(page)).toBe(MISSING);
        await snap(page, '04-missing-video-skip-focused');
        // Enter takes the focused action: skip.
        await page.keyboard.press('Enter');
        await page.locator('.item-title', { hasText: MISSING }).waitFor({ state: 'detached' });
        continue;
      }
      await page.keyboard.press('4');
      await page.keyboard.press('Enter');
      await page.locator('.item-title', { hasText: item }).waitFor({ state: 'detached' });
    }
    await expect(page.locator('.progress-text').textContent()).resolves.toBe('3 of 4 scored, 1 skipped');
    await page.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    await snap(page, '05-only-skipped-left');

    // A new visit, in a new tab, does not open on the unplayable item.
    const again = await browser.context.newPage();
    await openRun(again, server, 'skip-rater', RUN_A);
    expect(await settled(again)).toBe('end: Only skipped items left');
    // The server is asked to leave the skipped item out.
    browser.context.off('request', onRequest);
    expect(nextUrls.some((u) => new URL(u).searchParams.getAll('skip').includes(MISSING))).toBe(true);
    await again.getByRole('button', { name: 'Revisit the skipped item' }).click();
    expect(await shownItem(again)).toBe(MISSING);
    await again.keyboard.press('s');
    expect(await settled(again)).toBe('end: Only skipped items left');

    // The review list can un-skip it; then it is offered like any open item.
    await again.getByRole('link', { name: 'Review your scores' }).click();
    const box = again.getByRole('region', { name: 'Skipped items' });
    await box.getByText(MISSING).waitFor();
    await snap(again, '07-review-skipped');
    await box.getByRole('button', { name: `Un-skip ${MISSING}` }).click();
    await box.getByText('is back in the run').waitFor();
    await again.goto(`${server.url}/#/run/${RUN_A}`);
    expect(await shownItem(again)).toBe(MISSING);
    await expect(again.locator('.progress-text').textContent()).resolves.toBe('3 of 4 scored');
    await again.close();
    await page.close();
  });

  it('shows the real play state, and asks for a click when the browser refuses sound', async () => {
    const page = await browser.context.newPage();
    await openRun(page, server, 'play-rater', RUN_A);
    let item = await shownItem(page);
    if (item === MISSING) {
      await page.keyboard.press('s');
      item = await shownItem(page);
    }
    await page.keyboard.press('3');
    await page.keyboard.press('Enter');
    await page.locator('.item-title', { hasText: item }).waitFor({ state: 'detached' });
    if ((await shownItem(page)) === MISSING) await page.keyboard.press('s');
    // The next item plays on its own, with sound; the button says so and the first click pauses.
    expect(await videoSettled(page)).toBe('playing');
    const video = page.locator('.screen video');
    await expect(video.evaluate((v: HTMLVideoElement) => v.muted)).resolves.toBe(false);
    await page.waitForFunction(() =>
      document.querySelector('.controls .play')?.textContent?.includes('Pause'),
    );
    await page.locator('.controls .play').click();
    await expect(video.evaluate((v: HTMLVideoElement) => v.paused)).resolves.toBe(true);
    expect(await playLabel(page)).toContain('Play');
    // Paused from outside the button (a click on the picture): the button follows.
    await video.click();
    await page.waitForFunction(() =>
      document.querySelector('.controls .play')?.textContent?.includes('Pause'),
    );
    await page.close();

    // Chromium's desktop policy: no sound before the page has had a click or key press
    // (headless Chromium plays anyway, so the policy is put back in front of play()).
    const p = await browser.context.newPage();
    await p.addInitScript(() => {
      // The page's own record of a click or key press: navigator.userActivation can be set
      // by the automation itself, which made this check flaky.
      let gesture = false;
      for (const type of ['click', 'keydown']) {
        document.addEventListener(type, () => (gesture = true), { capture: true });
      }
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        if (!gesture && !this.muted) {
          return Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
        }
        return play.call(this);
      };
    });
    await p.goto(`${server.url}/#/run/run_choice`);
    const cta = p.getByRole('button', { name: /Click to play/ });
    await cta.waitFor();
    const v = p.locator('.screen video');
    await expect(v.evaluate((x: HTMLVideoElement) => [x.paused, x.muted])).resolves.toEqual([true, false]);
    expect(await playLabel(p)).toContain('Play');
    await snap(p, '12-click-to-play');
    await cta.click();
    await p.waitForFunction(() => {
      const x = document.querySelector<HTMLVideoElement>('.screen video');
      return x && !x.paused && !x.muted;
    });
    await cta.waitFor({ state: 'hidden' });
    expect(await playLabel(p)).toContain('Pause');
    await p.close();
  });

  it('labels rubric options without repeating the value, and opens the output tree', async () => {
    const page = await browser.context.newPage();
    await openRun(page, server, 'label-rater', RUN_A);
    if ((await shownItem(page)) === MISSING) await page.keyboard.press('s');
    await page.locator('.item-title:not(:has-text("clip0050"))').waitFor();
    const labels = await page
      .locator('fieldset[data-criterion="overall"] .option')
      .evaluateAll((ls) => ls.map((l) => (l.textContent ?? '').trim()));
    expect(labels).toEqual([
      '1 – Wrong or useless',
      '2',
      '3 – Partly right',
      '4',
      '5 – Accurate and complete',
    ]);
    // The first level of the output and the recognised steps are open.
    const open = await page
      .locator('.output > .tree > li > details')
      .evaluateAll((ds) =>
        ds.map((d) => [d.querySelector('summary .k')?.textContent, (d as HTMLDetailsElement).open]),
      );
    expect(open).toContainEqual(['segments', true]);
    expect(open.every(([, o]) => o)).toBe(true);
    await expect(
      page
        .locator('.output details', { hasText: 'segments' })
        .locator('details')
        .first()
        .evaluate((d: HTMLDetailsElement) => d.open),
    ).resolves.toBe(true);
    // No empty band: the output panel ends at its content, the rubric right below it.
    for (const size of [
      { width: 1280, height: 720 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      const gaps = await page.evaluate(() => {
        const out = document.querySelector('.output') as HTMLElement;
        const last = out.lastElementChild as HTMLElement;
        const card = out.nextElementSibling as HTMLElement;
        const o = out.getBoundingClientRect();
        return {
          inside: o.bottom - last.getBoundingClientRect().bottom,
          between: card.getBoundingClientRect().top - o.bottom,
          scrolls: out.scrollHeight > out.clientHeight,
        };
      });
      if (!gaps.scrolls) expect(gaps.inside).toBeLessThan(24);
      expect(gaps.between).toBeLessThan(24);
      await snap(page, `03-scoring-${size.width}x${size.height}`);
    }
    await page.setViewportSize({ width: 1280, height: 720 });

    // Choice options keep their key, shown after the label.
    await page.goto(`${server.url}/#/run/run_choice`);
    await page.locator('fieldset[data-criterion="segmentation"]').waitFor();
    const choice = await page
      .locator('fieldset[data-criterion="segmentation"] .option')
      .evaluateAll((ls) =>
        ls.map((l) => [l.querySelector('span')?.textContent, l.querySelector('kbd')?.textContent]),
      );
    expect(choice).toEqual([
      ['Right', '1'],
      ['Wrong', '2'],
    ]);
    await page.close();
  });

  it('keeps each run row on one line at 1280×720, and shows a favicon with no console errors', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(server.url);
    await page.getByLabel('Your rater ID').fill('layout-rater');
    await page.getByLabel('Your rater ID').press('Enter');
    await page.locator('.run-link .mine').first().waitFor();
    const lines = await page.locator('.run-link .mine').evaluateAll((ms) =>
      ms.map((m) => {
        const range = document.createRange();
        range.selectNodeContents(m.lastChild as Node);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      }),
    );
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((n) => n === 1)).toBe(true);
    await expect(page.locator('.run-link .mine').first().textContent()).resolves.toMatch(
      /^0 of \d scored by you$/,
    );
    await snap(page, '02-runs');
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBeTruthy();
    const res = await page.request.get(new URL(icon as string, server.url).href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('counts in words on the results pages, with rows that look clickable', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/#/results`);
    const row = page.locator('.run-list .run-link').first();
    await row.waitFor();
    const rest = await row.evaluate((a) => getComputedStyle(a).backgroundColor);
    await row.hover();
    await page.waitForFunction(
      ([sel, before]) => getComputedStyle(document.querySelector(sel) as Element).backgroundColor !== before,
      ['.run-list .run-link', rest] as const,
    );
    await snap(page, 'results-list');
    const text = async (): Promise<string> => (await page.locator('main').textContent()) ?? '';
    const bad =
      /\(s\)|\b1 (raters|items|ratings|videos|submissions)\b|\b(0|[2-9]|\d\d+) (rater|item|rating|video)\b(?!s)/;
    expect(await text()).not.toMatch(bad);
    await page.locator(`.run-list a[href="#/results/${RUN_A}"]`).click();
    await page.getByText(/ratings by \d raters on 4 items/).waitFor();
    expect(await text()).not.toMatch(bad);
    // A run with one rating from one rater.
    const res = await page.request.post(`${server.url}/scores`, {
      data: {
        submission_id: 'one-rating-0001',
        rater_id: 'solo',
        run_id: 'run_choice',
        item_id: 'item_00',
        answers: { segmentation: 'right' },
        comment: '',
        time_spent_ms: 1000,
      },
    });
    expect(res.status()).toBe(201);
    await page.goto(`${server.url}/#/results/run_choice`);
    await page.getByText('1 rating by 1 rater on 1 item (1 submission;').waitFor();
    expect(await text()).not.toMatch(bad);
    await snap(page, 'results-one-rater');
    await page.close();
  });

  it('lists the same shortcuts in the in-app help as in the README', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    const rows = await dialog
      .locator('tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          [...tr.querySelectorAll('kbd')].map((k) => k.textContent ?? ''),
          tr.querySelectorAll('td')[1]?.textContent ?? '',
        ]),
      );
    expect(rows.length).toBeGreaterThan(10);
    expect(rows).toContainEqual([['m'], 'Mute / unmute']);
    expect(readmeShortcuts()).toEqual(rows);
    await page.close();
  });
});
