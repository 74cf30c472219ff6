import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { FileStore, LOCAL_BUCKET } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { CLI, EXAMPLES, tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const RUN = 'run_20261115_101500';

describe('the scoring loop on the file backend', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: FileStore;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    store = new FileStore(dir, LOCAL_BUCKET);
  });
  afterAll(() => cleanup());

  it('uploads an example run with the CLI, manifest included', async () => {
    const { stdout } = await run('node', [
      CLI,
      'upload',
      path.join(EXAMPLES, 'runs', RUN),
      '--to',
      `file://${dir}`,
    ]);
    expect(stdout).toContain(`uploaded ${RUN}: 4 item(s)`);
    const manifest = JSON.parse((await store.read(`inference_runs/${RUN}/manifest.json`)).toString());
    expect(manifest.runId).toBe(RUN);
    expect(manifest.itemCount).toBe(4);
  });

  it('lists the run and its items through the API', async () => {
    const app = testApp(store);
    const runs = await request(app).get('/runs').expect(200);
    expect(runs.body).toEqual([
      expect.objectContaining({
        id: RUN,
        itemCount: 4,
        model: 'gemini-2.5-pro',
        prompt: 'task_segmentation_v4',
      }),
    ]);
    const items = await request(app).get(`/runs/${RUN}/items`).expect(200);
    const ids = items.body.map((i: { id: string }) => i.id);
    expect(ids).toEqual([
      'line3_cam01_clip0047',
      'line3_cam01_clip0050',
      'line3_cam02_clip0112',
      'packing_cam04_clip0008',
    ]);
    const failed = items.body.find((i: { id: string }) => i.id === 'line3_cam01_clip0050');
    expect(failed.error).toMatch(/429 Resource exhausted/);
    const fenced = items.body.find((i: { id: string }) => i.id === 'line3_cam02_clip0112');
    expect(fenced.output.primary_task).toBe('Inspect weld seam');
    expect(fenced.segments).toEqual([
      { start: 0, end: 5, label: 'Rotates part under lamp' },
      { start: 5, end: 9, label: 'Marks defect with chalk' },
    ]);
    expect(fenced.videoUri).toBe(`gs://${LOCAL_BUCKET}/videos/line3/cam02/line3_cam02_clip0112.mp4`);
  });

  it('records scores and returns them in /scores.csv, read back by a CSV parser', async () => {
    const app = testApp(store);
    const send = (id: string, item: string, overall: number, comment: string) =>
      request(app).post('/scores').send({
        submission_id: id,
        rater_id: 'alice',
        run_id: RUN,
        item_id: item,
        answers: { overall },
        comment,
      });
    await send('sub-00000001', 'line3_cam01_clip0047', 4, 'steps, "mostly" right').expect(201);
    await send('sub-00000002', 'packing_cam04_clip0008', 2, '=HYPERLINK("x")\nsecond line').expect(201);
    // The same submission_id again is the same submission.
    const again = await send('sub-00000001', 'line3_cam01_clip0047', 4, 'steps, "mostly" right').expect(200);
    expect(again.body.created).toBe(false);

    const csv = await request(app)
      .get('/scores.csv')
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.submission_id, r.rater_id, r.item_id, r.criterion, r.value])).toEqual([
      ['sub-00000001', 'alice', 'line3_cam01_clip0047', 'overall', '4'],
      ['sub-00000002', 'alice', 'packing_cam04_clip0008', 'overall', '2'],
    ]);
    expect(rows[0]?.comment).toBe('steps, "mostly" right');
    // A formula-looking comment is neutralised for spreadsheets, and keeps its newline.
    expect(rows[1]?.comment).toBe('\'=HYPERLINK("x")\nsecond line');
  });

  it('folds submissions into scores/scores.csv in the bucket', async () => {
    const app = testApp(store);
    const result = await app.context.ledger.compact();
    expect(result.folded).toBe(2);
    const rows = parse(await store.read('scores/scores.csv'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.submission_id)).toEqual(['sub-00000001', 'sub-00000002']);
    const csv = await request(app).get('/scores.csv').expect(200);
    expect(parse(csv.text, { columns: true })).toHaveLength(2);
  });

  it('serves a video with HTTP Range: 206 and exactly the bytes asked for', async () => {
    const key = 'videos/line3/cam01/line3_cam01_clip0047.mp4';
    const clip = await fs.readFile(path.join(EXAMPLES, key));
    await store.bucket('buildai-dataset').write(key, clip);
    const app = testApp(store);
    const res = await request(app)
      .get(`/videos/buildai-dataset/${key}`)
      .set('Range', 'bytes=100-199')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(206);
    expect(res.headers['content-range']).toBe(`bytes 100-199/${clip.length}`);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(Buffer.compare(res.body as Buffer, clip.subarray(100, 200))).toBe(0);
    await request(app)
      .get(`/videos/buildai-dataset/${key}`)
      .set('Range', `bytes=${clip.length + 10}-`)
      .expect(416);
  });

  it('answers a missing clip, an unknown run, item, bad value and malformed body with clear 4xx JSON', async () => {
    const app = testApp(store);
    const missing = await request(app)
      .get('/videos/buildai-dataset/videos/line3/cam01/line3_cam01_clip0050.mp4')
      .expect(404);
    expect(missing.body).toEqual({ error: 'not_found', message: expect.stringMatching(/video not found/) });
    const unknownRun = await request(app).get('/runs/run_nope/items').expect(404);
    expect(unknownRun.body.error).toBe('not_found');
    const base = {
      submission_id: 'sub-00000009',
      rater_id: 'alice',
      run_id: RUN,
      item_id: 'line3_cam01_clip0047',
      answers: { overall: 3 },
    };
    const noRun = await request(app)
      .post('/scores')
      .send({ ...base, run_id: 'run_nope' })
      .expect(404);
    expect(noRun.body.message).toMatch(/run_id/);
    const noItem = await request(app)
      .post('/scores')
      .send({ ...base, item_id: 'nope' })
      .expect(404);
    expect(noItem.body.message).toMatch(/item_id/);
    const badValue = await request(app)
      .post('/scores')
      .send({ ...base, answers: { overall: 9 } })
      .expect(400);
    expect(badValue.body).toEqual({
      error: 'invalid',
      message: 'answers.overall: must be an integer from 1 to 5',
    });
    const malformed = await request(app)
      .post('/scores')
      .set('Content-Type', 'application/json')
      .send('{"submission_id": ')
      .expect(400);
    expect(malformed.body.error).toBe('invalid');
    const csv = await request(app).get('/scores.csv').expect(200);
    expect(parse(csv.text, { columns: true })).toHaveLength(2);
  });
});
