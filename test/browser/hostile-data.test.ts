import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { publishRun, scanRunFolder } from '@fts/shared/node';
import { uploadFromScan } from '../../server/src/demo';
import { tempDir } from '../helpers/tmp';
import { openBrowser, shownItem, startServer, type TestBrowser, type TestServer } from './harness';

const RUN = `run.hostile-data_${'x'.repeat(100)}`;
const XSS = '<img src=x onerror="window.__pwned=1">';
const CLIP = 'gs://buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4';

/** Item ids (file paths without extension) that are awkward in a URL fragment or in HTML. */
const IDS = [
  'sub/dir/slash',
  'hash#frag',
  'query?x=1&y=2',
  '100%',
  '%41 literal',
  '%E0%A4%A bad escape',
  'tilde~1',
  'space and ünïcødé 好',
  XSS.replace(/\//g, '_'),
  '"quotes" & \'apos\'',
  'long_'.repeat(40),
];

async function publishHostileRun(server: TestServer): Promise<void> {
  const { dir, cleanup } = await tempDir('fts-hostile-run-');
  try {
    for (const id of IDS) {
      const p = path.join(dir, ...id.split('/')) + '.json';
      await fsp.mkdir(path.dirname(p), { recursive: true });
      await fsp.writeFile(
        p,
        JSON.stringify({
          video_uri: CLIP,
          model: `model ${XSS}`,
          output: {
            summary: `${XSS} for ${id}`,
            blob: 'unbroken'.repeat(300),
            steps: [{ start: '0:01', end: '0:02', label: XSS }],
          },
        }),
      );
    }
    await fsp.writeFile(
      path.join(dir, 'rubric.json'),
      JSON.stringify({
        criteria: [
          {
            id: 'overall',
            label: `Overall ${XSS}`,
            help: XSS,
            type: 'scale',
            min: 1,
            max: 3,
            anchors: { '1': XSS },
          },
          {
            id: 'kind',
            label: XSS,
            type: 'choice',
            options: [
              { value: XSS, label: XSS },
              { value: 'b', label: 'B' },
            ],
          },
        ],
      }),
    );
    const scan = await scanRunFolder(dir);
    expect(scan.problems).toEqual([]);
    await publishRun(server.store, uploadFromScan(RUN, scan, 'test'));
  } finally {
    await cleanup();
  }
}

/** Long unbroken text (ids, output) wraps rather than widening the page. */
async function expectNoSideways(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

describe('run data in the rater app is text, never markup or routing', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    await publishHostileRun(server);
    browser = await openBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(server.url);
    await page.getByLabel('Your rater ID').fill('hostile');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator(`a[data-run="${RUN}"]`).waitFor();
    await expectNoSideways(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each(IDS)('opens item %j from its own URL and shows its id as text', async (id) => {
    await page.goto(`${server.url}/#/run/${encodeURIComponent(RUN)}/item/${encodeURIComponent(id)}`);
    expect(await shownItem(page)).toBe(id);
    await page.locator('.screen').waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expectNoSideways(page);
    // The data shows up as the literal text it is.
    await expect(page.getByText(`for ${id}`, { exact: false }).count()).resolves.toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('a URL part that does not decode is taken as an unknown item or run, without a script error', async () => {
    await page.goto(`${server.url}/#/run/${encodeURIComponent(RUN)}/item/%E0%A4%A`);
    // An unknown item: the run opens at the rater's next item.
    expect(IDS).toContain(await shownItem(page));
    await page.goto(`${server.url}/#/run/%E0%A4%A`);
    // An unknown run: the run list.
    await page.locator(`a[data-run="${RUN}"]`).waitFor();
    expect(errors).toEqual([]);
  });

  it('scores every item and reviews them, each review link leading back to its item', async () => {
    await page.goto(`${server.url}/#/run/${encodeURIComponent(RUN)}`);
    for (let n = 0; n < IDS.length; n++) {
      await shownItem(page);
      await page.keyboard.press('1');
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
    }
    await page.getByRole('heading', { name: 'All done' }).waitFor();
    // The queue sends in the background: wait until the server holds every score.
    for (let tries = 0; (await server.scores('hostile')).length < IDS.length && tries < 100; tries++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await server.scores('hostile')).map((s) => s.item_id).sort()).toEqual([...IDS].sort());
    await page.goto(`${server.url}/#/run/${encodeURIComponent(RUN)}/review`);
    await page.locator('table').waitFor();
    await expectNoSideways(page);
    for (const id of IDS) {
      await page.goto(`${server.url}/#/run/${encodeURIComponent(RUN)}/review`);
      await page.getByRole('link', { name: `Change score of ${id}`, exact: true }).click();
      expect(await shownItem(page)).toBe(id);
    }
    expect(await page.locator('img').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a pasted comment holding control characters (Word line breaks, form feeds) is saved, not refused', async () => {
    await page.goto(`${server.url}/#/run/${encodeURIComponent(RUN)}/item/${encodeURIComponent(IDS[0]!)}`);
    expect(await shownItem(page)).toBe(IDS[0]);
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await page.locator('textarea[name="comment"]').fill('line one\u000bline two\u000cend\u0007 ok');
    await page.keyboard.press('Control+Enter');
    const saved = async () =>
      (await server.scores('hostile')).find((s) => s.comment.startsWith('line one'))?.comment;
    for (let tries = 0; (await saved()) === undefined && tries < 100; tries++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await saved()).toBe('line one line two end  ok');
    await expect(page.locator('.rejected').count()).resolves.toBe(0);
  });

  it('the results pages show run ids, labels and choice values as text', async () => {
    await page.goto(`${server.url}/#/results`);
    await page.locator(`a[href="#/results/${encodeURIComponent(RUN)}"]`).click();
    await page.getByText(`Overall ${XSS}`).first().waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expectNoSideways(page);
    expect(errors).toEqual([]);
  });
});
