#!/usr/bin/env node
// Time from pressing submit to the next video playing, in Chromium, on the file backend.
// Run after `npm run build`:  node test/bench/rater-latency.js [items]
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run with node */
/* global window, document -- used inside functions that run in the page */
const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '../..');
const { FileStore, LOCAL_BUCKET, publishRun, scanRunFolder } = require(`${REPO}/shared/dist/node/index.js`);
const { createApp } = require(`${REPO}/server/dist/app.js`);
const { loadConfig } = require(`${REPO}/server/dist/config.js`);
const { uploadFromScan } = require(`${REPO}/server/dist/demo.js`);

const RUN = 'run_bench';
const CLIPS = [
  'videos/line3/cam01/line3_cam01_clip0047.mp4',
  'videos/line3/cam02/line3_cam02_clip0112.mp4',
  'videos/packing/cam04/packing_cam04_clip0008.mp4',
];
/** How long the simulated rater looks at each item before submitting. */
const DWELL_MS = 500;

/** A run of `count` items, each with its own copy of an example clip (so no two share a URL). */
async function makeRun(store, dir, count) {
  const runDir = path.join(dir, 'run');
  await fs.mkdir(runDir);
  for (let i = 0; i < count; i++) {
    const key = `videos/bench/clip_${String(i).padStart(3, '0')}.mp4`;
    const clip = await fs.readFile(path.join(REPO, 'examples', CLIPS[i % CLIPS.length]));
    await store.write(key, clip, { contentType: 'video/mp4' });
    const record = {
      video_path: key,
      model: 'bench-model',
      prompt_version: 'bench',
      output: {
        primary_task: `Task ${i}`,
        segments: [
          { start: '00:00', end: '00:04', action: 'First step' },
          { start: '00:04', end: '00:09', action: 'Second step' },
        ],
      },
    };
    await fs.writeFile(path.join(runDir, `item_${String(i).padStart(3, '0')}.json`), JSON.stringify(record));
  }
  await publishRun(store, uploadFromScan(RUN, await scanRunFolder(runDir), 'bench'));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(samples = 20) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fts-bench-'));
  const store = new FileStore(dir, LOCAL_BUCKET);
  await makeRun(store, dir, samples + 2);
  const app = createApp({ config: loadConfig({ LOG_REQUESTS: 'false' }), store });
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'fts-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await context.newPage();
    // Timestamps in the page: Enter pressed (capture phase, before the app handles it) and
    // the first 'playing' after it (media events do not bubble, but they are captured).
    await page.addInitScript(() => {
      localStorage.setItem('fts.rater', 'bench-rater');
      window.__lat = [];
      let t0;
      window.addEventListener('keydown', (e) => e.key === 'Enter' && (t0 = performance.now()), true);
      document.addEventListener(
        'playing',
        () => {
          if (t0 === undefined) return;
          window.__lat.push(performance.now() - t0);
          t0 = undefined;
        },
        true,
      );
    });
    await page.goto(`${url}/#/run/${RUN}`);
    await page.waitForFunction(() => {
      const v = document.querySelector('.screen video');
      return v && !v.paused && v.readyState >= 3;
    });
    for (let i = 1; i <= samples; i++) {
      await page.waitForTimeout(DWELL_MS);
      await page.keyboard.press('3');
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => window.__lat.length >= n, i, { timeout: 10_000 });
    }
    await page.locator('#sync', { hasText: 'All scores saved' }).waitFor();
    const lat = (await page.evaluate(() => window.__lat)).sort((a, b) => a - b);
    const saved = (await app.context.ledger.all()).filter((s) => s.rater_id === 'bench-rater').length;
    const f = (ms) => `${ms.toFixed(1)} ms`;
    console.log(
      `submit → next video playing (Chromium, file backend, ${lat.length} items, ${DWELL_MS} ms per item): ` +
        `median ${f(percentile(lat, 50))}, p90 ${f(percentile(lat, 90))}, ` +
        `min ${f(lat[0])}, max ${f(lat[lat.length - 1])} (target: median < 150 ms); ${saved} scores saved`,
    );
    return { median: percentile(lat, 50), p90: percentile(lat, 90), samples: lat };
  } finally {
    await context.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(profile, { recursive: true, force: true });
  }
}

module.exports = { main };

if (require.main === module) {
  main(Number(process.argv[2]) || 20).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
