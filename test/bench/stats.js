#!/usr/bin/env node
// How long the results take to compute for runs of growing size (3 raters per item, 30 raters,
// 2000 bootstrap replicates). Run after `npm run build`:  node test/bench/stats.js [items...]
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run with node */
const path = require('node:path');

const REPO = path.resolve(__dirname, '../..');
const { runStats, compareRuns, DEFAULT_RUBRIC } = require(`${REPO}/shared/dist/index.js`);

const RATERS_PER_ITEM = 3;
const RATERS = 30;

function run(runId, items) {
  return {
    runId,
    rubric: DEFAULT_RUBRIC,
    items: Array.from({ length: items }, (_, i) => ({ id: `i${i}`, videoUri: `gs://b/v${i}.mp4` })),
  };
}

function submissions(runId, items, shift) {
  const out = [];
  for (let i = 0; i < items; i++) {
    for (let r = 0; r < RATERS_PER_ITEM; r++) {
      out.push({
        submission_id: `${runId}-${i}-${r}`,
        submitted_at: '2026-11-20T10:00:00.000Z',
        rater_id: `rater${(i + r) % RATERS}`,
        run_id: runId,
        item_id: `i${i}`,
        video_uri: `gs://b/v${i}.mp4`,
        answers: { overall: 1 + ((i * 7 + r * 3 + shift) % 5) },
        comment: '',
      });
    }
  }
  return out;
}

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
for (const items of sizes.length ? sizes : [100, 1000, 3000]) {
  const subs = [...submissions('A', items, 0), ...submissions('B', items, 1)];
  const a = run('A', items);
  const b = run('B', items);
  time(() => runStats(a, subs)); // warm up
  const stats = time(() => runStats(a, subs));
  const compare = time(() => compareRuns(a, b, subs));
  console.log(
    `${String(items).padStart(5)} items, ${items * RATERS_PER_ITEM} ratings per run: ` +
      `GET /runs/:id/stats ${stats.toFixed(0)} ms, GET /compare ${compare.toFixed(0)} ms`,
  );
}
