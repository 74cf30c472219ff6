import request from 'supertest';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileStore, LOCAL_BUCKET, publishRun, scanRunFolder } from '@fts/shared/node';
import type { RunComparisonDto, RunStatsDto } from '@fts/shared';
import { loadDemo, uploadFromScan } from '../../server/src/demo';
import { testApp } from '../helpers/app';
import { EXAMPLES, tempDir } from '../helpers/tmp';

const A = 'run_20261115_101500';
const B = 'run_20261116_093000';
const C = 'run_other_clips';
const ITEMS = ['line3_cam01_clip0047', 'line3_cam02_clip0112', 'packing_cam04_clip0008'];

describe('results routes on the example runs', () => {
  let cleanup: () => Promise<void>;
  let app: ReturnType<typeof testApp>;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir());
    const store = new FileStore(dir, LOCAL_BUCKET);
    await loadDemo(store, EXAMPLES);
    // A third run over other clips, to compare with nothing in common.
    const other = path.join(dir, 'src', C);
    await fs.mkdir(other, { recursive: true });
    for (const clip of ['x1', 'x2']) {
      await fs.writeFile(
        path.join(other, `${clip}.json`),
        JSON.stringify({ video_uri: `gs://elsewhere/${clip}.mp4`, output: { primary_task: 'Sweep' } }),
      );
    }
    await publishRun(store, uploadFromScan(C, await scanRunFolder(other), 'test'));
    app = testApp(store);
    let n = 0;
    const post = (rater: string, run: string, item: string, overall: number) =>
      request(app)
        .post('/scores')
        .send({
          submission_id: `sub-${String(++n).padStart(8, '0')}`,
          rater_id: rater,
          run_id: run,
          item_id: item,
          answers: { overall },
        })
        .expect(201);
    // Run A is rated higher than run B on every shared clip; a re-score replaces ann's first answer.
    await post('ann', A, ITEMS[0] as string, 1);
    for (const [k, rater] of ['ann', 'bob', 'cid'].entries()) {
      for (const [i, item] of ITEMS.entries()) {
        await post(rater, A, item, 4 + ((i + k) % 2));
        await post(rater, B, item, 2 + ((i + k) % 2));
      }
    }
  });
  afterAll(() => cleanup());

  it('GET /runs/:id/stats answers counts, mean with interval, agreement and coverage', async () => {
    const res = await request(app).get(`/runs/${A}/stats`).expect(200);
    const s = res.body as RunStatsDto;
    expect(s).toMatchObject({ runId: A, itemCount: 4, submissions: 10, ratings: 9, raters: 3, target: 3 });
    expect(s.coverage.map((c) => [c.itemId, c.ratings])).toEqual([
      ['line3_cam01_clip0047', 3],
      ['line3_cam01_clip0050', 0],
      ['line3_cam02_clip0112', 3],
      ['packing_cam04_clip0008', 3],
    ]);
    const overall = s.criteria[0];
    expect(overall).toMatchObject({ criterion: 'overall', ratings: 9, items: 3, raters: 3 });
    expect(overall?.mean).toBeGreaterThan(4);
    expect(overall?.mean).toBeLessThan(5);
    expect(overall?.interval?.low).toBeLessThanOrEqual(overall?.mean as number);
    expect(overall?.agreement.pairableUnits).toBe(3);
    expect(s.method).toEqual({ bootstrapReplicates: 2000, seed: 1, level: 0.95 });
    // The same request gives the same interval; another seed may not.
    const again = await request(app).get(`/runs/${A}/stats`).expect(200);
    expect(again.body.criteria[0].interval).toEqual(overall?.interval);
    await request(app).get(`/runs/${A}/stats?seed=5`).expect(200);
    await request(app).get(`/runs/${A}/stats?seed=-1`).expect(400);
    await request(app).get('/runs/run_nope/stats').expect(404);
  });

  it('GET /compare pairs the runs by video and tests the difference', async () => {
    const res = await request(app).get(`/compare?a=${A}&b=${B}`).expect(200);
    const c = res.body as RunComparisonDto;
    // Run A names clip0112 by a bucket-relative path, which resolves to the app's own bucket,
    // so by video_uri the runs share two clips of three.
    expect(c).toMatchObject({ a: A, b: B, design: 'paired', sharedVideos: 2 });
    const o = c.criteria[0];
    expect(o?.videos).toEqual({ a: 3, b: 3, both: 2 });
    expect(o?.difference).toBeCloseTo(2, 12);
    expect(o?.wins).toEqual({ a: 2, tie: 0, b: 0 });
    expect(o?.test).toMatchObject({ name: 'wilcoxon', method: 'exact', n: 2 });
    // Two pairs cannot reach p < 0.05: the exact two-sided minimum is 2 / 2^2.
    expect(o?.test?.p).toBeCloseTo(0.5, 12);
    expect(o?.power.needed).toBeNull();
    const bad = await request(app).get(`/compare?a=${A}&b=${A}`).expect(400);
    expect(bad.body.message).toMatch(/^b: /);
    await request(app).get(`/compare?a=${A}`).expect(400);
  });

  it('GET /compare/next gives a new rater one clip from both runs, then the rest', async () => {
    const res = await request(app).get(`/compare/next?a=${A}&b=${B}&rater=dee`).expect(200);
    expect(res.body.items).toHaveLength(2);
    expect(new Set(res.body.items.map((i: { runId: string }) => i.runId))).toEqual(new Set([A, B]));
    expect(res.body.items[0].videoUri).toBe(res.body.videoUri);
    expect(res.body.progress).toEqual({ done: 0, total: 2 });
    const done = await request(app).get(`/compare/next?a=${A}&b=${B}&rater=ann`).expect(200);
    expect(done.body).toEqual({ videoUri: null, items: [], progress: { done: 2, total: 2 } });
    await request(app).get(`/compare/next?a=${A}&b=${B}`).expect(400);
  });

  it('recomputes the results once a new score arrives', async () => {
    const before = await request(app).get(`/runs/${A}/stats`).expect(200);
    expect(before.body.ratings).toBe(9);
    await request(app)
      .post('/scores')
      .send({
        submission_id: 'sub-99999999',
        rater_id: 'eve',
        run_id: A,
        item_id: 'line3_cam01_clip0050',
        answers: { overall: 2 },
      })
      .expect(201);
    const after = await request(app).get(`/runs/${A}/stats`).expect(200);
    expect(after.body.ratings).toBe(10);
    expect(after.body.coverage[1]).toMatchObject({ itemId: 'line3_cam01_clip0050', ratings: 1 });
  });

  it('compares runs that share no video unpaired, and has no pair to offer', async () => {
    await request(app)
      .post('/scores')
      .send({
        submission_id: 'sub-88888888',
        rater_id: 'ann',
        run_id: C,
        item_id: 'x1',
        answers: { overall: 1 },
      })
      .expect(201);
    const res = await request(app).get(`/compare?a=${A}&b=${C}`).expect(200);
    expect(res.body).toMatchObject({ design: 'unpaired', sharedVideos: 0 });
    expect(res.body.criteria[0]).toMatchObject({ videos: { b: 1, both: 0 }, wins: null });
    expect(res.body.criteria[0].test.name).toBe('mann-whitney');
    const next = await request(app).get(`/compare/next?a=${A}&b=${C}&rater=ann`).expect(400);
    expect(next.body.message).toMatch(/share no video/);
  });
});
