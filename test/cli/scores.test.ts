import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { ScoreLedger } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { EXAMPLES, tempDir } from '../helpers/tmp';
import { runCli, STORE_FACTORIES, type TestStore } from './helpers';

const RUN_A = 'run_20261115_101500';
const RUN_B = 'run_20261116_093000';

describe.each(STORE_FACTORIES)('score-cli runs and scores from the $name store', (factory) => {
  let t: TestStore;

  beforeAll(async () => {
    t = await factory.make();
    for (const run of [RUN_A, RUN_B]) {
      expect(
        (await runCli(['upload', path.join(EXAMPLES, 'runs', run), '--to', t.url], { env: t.env })).code,
      ).toBe(0);
    }
    const ledger = new ScoreLedger(t.store);
    const sub = (id: string, at: string, rater: string, run: string, item: string, overall: number) =>
      ledger.record({
        submission_id: id,
        submitted_at: at,
        rater_id: rater,
        run_id: run,
        item_id: item,
        video_uri: `gs://buildai-dataset/videos/${item}.mp4`,
        answers: { overall },
        comment: overall < 3 ? '=bad, "quoted"\nsecond line' : '',
      });
    await sub('sub-a0001', '2026-11-20T10:00:00.000Z', 'alice', RUN_A, 'line3_cam01_clip0047', 2);
    // alice re-scores the same item: --latest keeps only this one.
    await sub('sub-a0002', '2026-11-20T10:05:00.000Z', 'alice', RUN_A, 'line3_cam01_clip0047', 5);
    await sub('sub-b0001', '2026-11-20T10:02:00.000Z', 'bob', RUN_A, 'line3_cam01_clip0047', 3);
    await sub('sub-b0002', '2026-11-20T10:03:00.000Z', 'bob', RUN_B, 'line3_cam02_clip0112', 4);
    // Half of them folded into scores.csv, the rest still pending: both must be read.
    await ledger.compact();
    await sub('sub-b0003', '2026-11-20T10:06:00.000Z', 'bob', RUN_B, 'packing_cam04_clip0008', 1);
  });
  afterAll(() => t.cleanup());

  it('lists runs with item and rating counts, as a table and as JSON', async () => {
    const table = await runCli(['runs', '--from', t.url], { env: t.env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+ITEMS\s+RATINGS\s+MODEL\s+PROMPT\s+CREATED$/);
    expect(lines[1]).toMatch(new RegExp(`^${RUN_B}\\s+3\\s+2\\s`));
    expect(lines[2]).toMatch(new RegExp(`^${RUN_A}\\s+4\\s+3\\s+gemini-2.5-pro\\s+task_segmentation_v4`));

    const json = await runCli(['runs', '--from', t.url, '--json'], { env: t.env });
    const runs = JSON.parse(json.stdout);
    expect(
      runs.map((r: { id: string; itemCount: number; ratingCount: number }) => [
        r.id,
        r.itemCount,
        r.ratingCount,
      ]),
    ).toEqual([
      [RUN_B, 3, 2],
      [RUN_A, 4, 3],
    ]);
  });

  it('prints every score as CSV on stdout, read back by a CSV parser', async () => {
    const r = await runCli(['scores', '--from', t.url], { env: t.env });
    expect(r.code).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.submission_id)).toEqual([
      'sub-a0001',
      'sub-b0001',
      'sub-b0002',
      'sub-a0002',
      'sub-b0003',
    ]);
    expect(rows[0]?.comment).toBe('\'=bad, "quoted"\nsecond line');
  });

  it("--run --latest keeps each rater's latest answer per item of that run; -o writes a file", async () => {
    const { dir, cleanup } = await tempDir('fts-cli-out-');
    try {
      const r = await runCli(['scores', '--from', t.url, '--run', RUN_A, '--latest', '-o', 'scores.csv'], {
        env: t.env,
        cwd: dir,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('wrote 2 score row(s) to scores.csv');
      const rows = parse(await fs.readFile(path.join(dir, 'scores.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[];
      expect(rows.map((x) => [x.rater_id, x.run_id, x.value])).toEqual([
        ['bob', RUN_A, '3'],
        ['alice', RUN_A, '5'],
      ]);
      expect(await fs.readdir(dir)).toEqual(['scores.csv']);
    } finally {
      await cleanup();
    }
  });

  it('stats and compare print what the app answers over the same store', async () => {
    const app = testApp(t.store);
    const stats = await runCli(['stats', RUN_A, '--from', t.url, '--json'], { env: t.env });
    expect(stats.code).toBe(0);
    const api = await request(app).get(`/runs/${RUN_A}/stats`).expect(200);
    expect(JSON.parse(stats.stdout)).toEqual(api.body);
    // alice's re-score replaces her first answer: 2 ratings (5 and 3) from 3 submissions.
    expect(api.body).toMatchObject({ itemCount: 4, ratings: 2, raters: 2, submissions: 3 });

    const text = await runCli(['stats', RUN_A, '--from', t.url], { env: t.env });
    expect(text.stdout).toContain(`${RUN_A}: 4 item(s), 2 rating(s) by 2 rater(s) (3 submission(s)`);
    expect(text.stdout).toMatch(/mean 4\.00/);

    const compare = await runCli(['compare', RUN_A, RUN_B, '--from', t.url, '--json'], { env: t.env });
    expect(compare.code).toBe(0);
    const apiCompare = await request(app).get(`/compare?a=${RUN_A}&b=${RUN_B}`).expect(200);
    expect(JSON.parse(compare.stdout)).toEqual(apiCompare.body);
    const compareText = await runCli(['compare', RUN_A, RUN_B, '--from', t.url], { env: t.env });
    expect(compareText.stdout).toContain(`A = ${RUN_A}\nB = ${RUN_B}\ndesign: `);

    const missing = await runCli(['stats', 'run_nope', '--from', t.url], { env: t.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*run_nope/);
  });

  it('is bad usage to name both a server and a store, or a malformed run', async () => {
    const both = await runCli(['scores', '--from', t.url, '--server', 'http://127.0.0.1:1'], { env: t.env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with/);
    const bad = await runCli(['scores', '--from', t.url, '--run', '../etc'], { env: t.env });
    expect(bad.code).toBe(2);
    const store = await runCli(['runs', '--from', 's3://bucket'], { env: t.env });
    expect(store.code).toBe(2);
    expect(store.stderr).toMatch(/give file:\/\/PATH or gs:\/\/BUCKET/);
  });
});
