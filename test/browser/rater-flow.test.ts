import type { Locator, Page } from 'playwright-core';
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

/** Press Tab until `target` has focus (a keyboard user's way of getting there). */
async function tabTo(page: Page, target: Locator, key = 'Tab', max = 20): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((e) => e === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`Tab never reached ${String(target)}`);
}

describe('the rater app in Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startServer();
    // A run with a rubric of its own (published before the run list is first read and cached).
    const clip = (name: string) => `gs://buildai-dataset/videos/line3/${name}.mp4`;
    await publishItems(
      server.store,
      'run_rubric',
      [
        { video_uri: clip('cam01/line3_cam01_clip0047'), output: { summary: 'first' } },
        { video_uri: clip('cam02/line3_cam02_clip0112'), output: { summary: 'second' } },
      ],
      {
        'rubric.json': {
          criteria: [
            {
              id: 'overall',
              label: 'Overall',
              type: 'scale',
              min: 1,
              max: 5,
              anchors: { '1': 'bad', '5': 'good' },
            },
            {
              id: 'segmentation',
              label: 'Step boundaries',
              type: 'choice',
              options: [
                { value: 'right', label: 'Right' },
                { value: 'off', label: 'Off by a step' },
                { value: 'wrong', label: 'Wrong' },
              ],
            },
            { id: 'safety_issue', label: 'Does the output miss a safety issue?', type: 'yesno' },
            { id: 'notes_ok', label: 'Optional yes/no', type: 'yesno', required: false },
          ],
          comment: true,
        },
      },
    );
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('scores a whole run with the mouse: steps seek, a missing video is skipped, all done', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Your rater ID').fill('not a valid id!');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByRole('alert')
      .getByText(/Rater ID must be 1-64 characters/)
      .waitFor();
    await expect(page.locator('.run-link').count()).resolves.toBe(0);
    await snap(page, '01-start');
    await page.getByLabel('Your rater ID').fill('  Mouse.Rater ');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator(`a[data-run="${RUN_A}"]`).waitFor();
    await snap(page, '02-runs');
    await page.locator(`a[data-run="${RUN_A}"]`).click();

    const seen: string[] = [];
    for (;;) {
      // The missing clip is skipped, so the run ends with only it left.
      const done = page.getByRole('heading', { name: 'Only skipped items left' });
      const title = page.locator('.item-title');
      await Promise.race([done.waitFor(), title.waitFor()]);
      if (await done.isVisible()) break;
      const item = await shownItem(page);
      expect(seen).not.toContain(item);
      seen.push(item);
      const state = await videoSettled(page);
      if (item === 'line3_cam01_clip0050') {
        expect(state).toBe('failed');
        await page
          .locator('.video-problem')
          .getByText(/video not found/i)
          .waitFor();
        await expect(page.locator('.inference-error').textContent()).resolves.toMatch(
          /429 Resource exhausted/,
        );
        await snap(page, '04-missing-video');
        await page.locator('.video-problem').getByRole('button', { name: /skip/i }).click();
        continue;
      }
      expect(state).toBe('playing');
      if (item === 'line3_cam01_clip0047') {
        // A step seeks the video and becomes the highlighted one.
        await page.getByRole('button', { name: /Play from 0:03/ }).click();
        await page.waitForFunction(() => {
          const v = document.querySelector<HTMLVideoElement>('.screen video');
          return v && v.currentTime >= 3 && v.currentTime < 8;
        });
        await page.locator('.step[aria-current="step"]', { hasText: 'Aligns bracket' }).waitFor();
        await snap(page, '03-scoring');
        await page.setViewportSize({ width: 1920, height: 1080 });
        await snap(page, '03-scoring-1920x1080');
        await page.setViewportSize({ width: 1280, height: 720 });
      }
      await page.locator('.option', { hasText: '4' }).click();
      await page.getByLabel(/Comment/).fill(`fine ${item}`);
      await page.getByRole('button', { name: /^Submit/ }).click();
    }
    expect(seen.sort()).toEqual([
      'line3_cam01_clip0047',
      'line3_cam01_clip0050',
      'line3_cam02_clip0112',
      'packing_cam04_clip0008',
    ]);
    await page.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    await expect(page.locator('.progress-text').textContent()).resolves.toBe('3 of 4 scored, 1 skipped');
    await snap(page, '05-all-done');
    const scores = await server.scores('mouse.rater');
    expect(scores.map((s) => [s.item_id, s.answers.overall, s.comment]).sort()).toEqual([
      ['line3_cam01_clip0047', 4, 'fine line3_cam01_clip0047'],
      ['line3_cam02_clip0112', 4, 'fine line3_cam02_clip0112'],
      ['packing_cam04_clip0008', 4, 'fine packing_cam04_clip0008'],
    ]);
    expect(new Set(scores.map((s) => s.submission_id)).size).toBe(3);
    await page.close();
  });

  it('does everything from the keyboard alone, including going back to change a score', async () => {
    const page = await browser.context.newPage();
    // A browser that has never seen a rater (the profile is shared with the test above).
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('#rater-id:focus').waitFor();
    await page.keyboard.type('kbd-rater');
    await page.keyboard.press('Enter');
    // The first run link takes focus; Tab to the run wanted.
    await page.locator('.run-link:focus').waitFor();
    await tabTo(page, page.locator(`a[data-run="${RUN_B}"]`));
    await page.keyboard.press('Enter');
    const first = await shownItem(page);
    expect(await videoSettled(page)).toBe('playing');

    const video = page.locator('.screen video');
    await page.keyboard.press('k');
    await expect(video.evaluate((v: HTMLVideoElement) => v.paused)).resolves.toBe(true);
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    await expect(video.evaluate((v: HTMLVideoElement) => v.playbackRate)).resolves.toBe(1.5);
    await page.keyboard.press('[');
    await expect(video.evaluate((v: HTMLVideoElement) => v.playbackRate)).resolves.toBe(1.25);
    // The speed menu follows (on the video's ratechange event).
    await page.waitForFunction(
      () => document.querySelector<HTMLSelectElement>('select.speed')?.value === '1.25',
    );
    const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.keyboard.press('.');
    await page.keyboard.press('.');
    const t1 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(t1).toBeGreaterThan(t0);
    expect(t1 - t0).toBeLessThan(0.2);
    await page.keyboard.press('l');
    await expect(video.evaluate((v: HTMLVideoElement) => v.currentTime)).resolves.toBeGreaterThan(t1 + 4);
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await snap(page, '06-help');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // Enter with nothing answered names what is missing and submits nothing.
    await page.keyboard.press('Enter');
    await page.getByText(/Please answer: Overall quality/).waitFor();
    await page.keyboard.press('Escape');

    const order = [first];
    await page.keyboard.press('4');
    await page.keyboard.press('c');
    await page.keyboard.type('clear steps');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    for (;;) {
      const item = await shownItem(page);
      if (order.includes(item)) throw new Error(`offered ${item} twice`);
      order.push(item);
      await page.keyboard.press('5');
      await page.keyboard.press('Enter');
      if (order.length === 3) break;
    }
    await page.getByRole('heading', { name: 'All done' }).waitFor();

    // Back to the last item with the review list, by keyboard: change 5 to 2.
    await tabTo(page, page.getByRole('link', { name: 'Review your scores' }));
    await page.keyboard.press('Enter');
    await page.getByRole('table').waitFor();
    await snap(page, '07-review');
    await tabTo(page, page.getByRole('link', { name: `Change score of ${order[2]}` }));
    await page.keyboard.press('Enter');
    expect(await shownItem(page)).toBe(order[2]);
    await expect(page.locator(`input[name="overall"][value="5"]`).isChecked()).resolves.toBe(true);
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'All done' }).waitFor();
    await page.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    // The header's Review key works on the "All done" screen too.
    await page.keyboard.press('r');
    await page.getByRole('table').waitFor();
    expect(page.url()).toMatch(/\/review$/);

    const scores = await server.scores('kbd-rater');
    expect(scores).toHaveLength(4);
    const latest = new Map(
      [...scores].sort((a, b) => a.submitted_at.localeCompare(b.submitted_at)).map((s) => [s.item_id, s]),
    );
    expect(latest.get(order[0] as string)?.answers.overall).toBe(4);
    expect(latest.get(order[0] as string)?.comment).toBe('clear steps');
    expect(latest.get(order[1] as string)?.answers.overall).toBe(5);
    expect(latest.get(order[2] as string)?.answers.overall).toBe(2);
    await page.close();
  });

  it("answers a run's own rubric (scale, choice, yes/no, comment) from the keyboard", async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Your rater ID').fill('rubric-rater');
    await page.getByLabel('Your rater ID').press('Enter');
    await page.locator('a[data-run="run_rubric"]').click();
    const first = await shownItem(page);
    // Digits answer the first unanswered criterion in turn; y/n a yes/no one.
    await page.keyboard.press('4');
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.getByText(/Please answer: Does the output miss a safety issue\?/).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('y');
    // A missing answer took focus to its criterion; Shift+Tab back to the first one: digits
    // now change the criterion in focus.
    await tabTo(page, page.locator('input[name="overall"]:checked'), 'Shift+Tab');
    await page.keyboard.press('5');
    await expect(page.locator('input[name="overall"]:checked').inputValue()).resolves.toBe('5');
    await snap(page, '11-custom-rubric');
    await page.keyboard.press('Enter');
    const second = await shownItem(page);
    expect(second).not.toBe(first);
    await page.keyboard.press('1');
    await page.keyboard.press('3');
    await page.keyboard.press('n');
    await page.keyboard.press('y');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'All done' }).waitFor();
    await page.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    const scores = await server.scores('rubric-rater');
    const byItem = Object.fromEntries(scores.map((s) => [s.item_id, s.answers]));
    expect(byItem).toEqual({
      [first]: { overall: 5, segmentation: 'off', safety_issue: 'yes' },
      [second]: { overall: 1, segmentation: 'wrong', safety_issue: 'no', notes_ok: 'yes' },
    });
    await page.close();
  });
});
