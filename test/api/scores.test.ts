import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { FileStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { demoStore, ITEM, publishFiles, RUN, RUN2, submission } from './fixture';

const exec = promisify(execFile);
const RUBRIC_RUN = 'run_rubric';

let dir: string;
let store: FileStore;
let cleanup: () => Promise<void>;
let now = Date.parse('2026-11-15T10:00:00Z');
let app: ReturnType<typeof testApp>;

/** Advance the server clock a minute per call, so submissions are ordered and `since` is testable. */
const clock = (): Date => new Date((now += 60_000));

beforeAll(async () => {
  ({ dir, store, cleanup } = await demoStore());
  await publishFiles(store, RUBRIC_RUN, {
    'a.json': JSON.stringify({ video_uri: 'videos/a.mp4', output: 'x' }),
    'b.json': JSON.stringify({ video_uri: 'videos/b.mp4', output: 'y' }),
    'rubric.json': JSON.stringify({
      criteria: [
        { id: 'overall', label: 'Overall', type: 'scale', min: 1, max: 5 },
        {
          id: 'kind',
          label: 'Kind',
          type: 'choice',
          options: [
            { value: 'assembly', label: 'Assembly' },
            { value: 'packing', label: 'Packing' },
          ],
        },
        { id: 'safe', label: 'Safe?', type: 'yesno', required: false },
        {
          id: 'comment',
          label: 'A criterion named like a column',
          type: 'scale',
          min: 0,
          max: 2,
          required: false,
        },
      ],
    }),
  });
  app = testApp(store, clock);
});
afterAll(() => cleanup());

describe('POST /scores', () => {
  it('records a submission once per submission_id, with the server clock', async () => {
    const body = submission({ submission_id: 'sub-first-0001', rater_id: '  Alice ' });
    const first = await request(app).post('/scores').send(body).expect(201);
    expect(first.body.created).toBe(true);
    expect(first.body.submission).toEqual(
      expect.objectContaining({
        rater_id: 'alice',
        video_uri: 'gs://buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4',
        answers: { overall: 4 },
        submitted_at: new Date(now).toISOString(),
      }),
    );
    const again = await request(app).post('/scores').send(body).expect(200);
    expect(again.body).toEqual({ created: false, submission: first.body.submission });
  });

  it.each([
    ['an unknown run', { run_id: 'run_nope' }, /^run_id: no run run_nope$/],
    ['an unknown item', { item_id: 'nope' }, /^item_id: run run_20261115_101500 has no item nope$/],
    ['a missing required criterion', { answers: {} }, /^answers\.overall: required$/],
    [
      'a value out of range',
      { answers: { overall: 6 } },
      /^answers\.overall: must be an integer from 1 to 5$/,
    ],
    ['a fractional value', { answers: { overall: 2.5 } }, /^answers\.overall: /],
    ['a string for a scale', { answers: { overall: '4' } }, /^answers\.overall: /],
    ['an unknown criterion', { answers: { overall: 3, speed: 2 } }, /^answers\.speed: not a criterion/],
    ['a rater ID with a space', { rater_id: 'al ice' }, /^rater_id: must be 1-64 characters/],
    ['a rater ID starting with -', { rater_id: '-alice' }, /^rater_id: /],
    ['a rater ID too long', { rater_id: 'a'.repeat(65) }, /^rater_id: /],
    ['a missing submission_id', { submission_id: undefined }, /^submission_id: /],
    ['a time out of range', { time_spent_ms: -1 }, /^time_spent_ms: /],
  ])('refuses %s with 400 naming the field', async (_what, overrides, message) => {
    const res = await request(app).post('/scores').send(submission(overrides)).expect(400);
    expect(res.body.error).toBe('invalid');
    expect(res.body.message).toMatch(message);
  });

  it('checks answers against the run’s own rubric', async () => {
    const base = { run_id: RUBRIC_RUN, item_id: 'a' };
    const bad = await request(app)
      .post('/scores')
      .send(submission({ ...base, answers: { overall: 3, kind: 'welding' } }))
      .expect(400);
    expect(bad.body.message).toBe('answers.kind: must be one of assembly, packing');
    const yesno = await request(app)
      .post('/scores')
      .send(submission({ ...base, answers: { overall: 3, kind: 'packing', safe: 'maybe' } }))
      .expect(400);
    expect(yesno.body.message).toBe('answers.safe: must be "yes" or "no"');
  });
});

describe('GET /scores and GET /scores.csv', () => {
  beforeAll(async () => {
    const post = (o: Record<string, unknown>) => request(app).post('/scores').send(submission(o)).expect(201);
    await post({ rater_id: 'bob', answers: { overall: 2 }, comment: '=HYPERLINK("http://x")' });
    await post({
      rater_id: 'bob',
      answers: { overall: 5 },
      comment: 'changed my mind, "really"\nsecond line',
    });
    await post({
      rater_id: 'carol',
      item_id: 'line3_cam02_clip0112',
      answers: { overall: 1 },
      time_spent_ms: 1500,
    });
    await post({ rater_id: 'carol', run_id: RUN2, answers: { overall: 3 }, comment: '+1 @here -5' });
    await post({
      rater_id: 'dan',
      run_id: RUBRIC_RUN,
      item_id: 'a',
      answers: { overall: 4, kind: 'assembly', safe: 'yes', comment: 2 },
    });
    await post({
      rater_id: 'dan',
      run_id: RUBRIC_RUN,
      item_id: 'b',
      answers: { overall: 2, kind: 'packing' },
    });
  });

  it('returns a rater’s own submissions as JSON, filtered by run', async () => {
    const res = await request(app).get(`/scores?rater=bob&run=${RUN}`).expect(200);
    expect(res.body.map((s: { answers: object }) => s.answers)).toEqual([{ overall: 2 }, { overall: 5 }]);
    const carol = await request(app).get('/scores?rater=CAROL').expect(200);
    expect(carol.body.map((s: { run_id: string }) => s.run_id)).toEqual([RUN, RUN2]);
  });

  it.each([
    ['/scores?rater=al%20ice', /^rater: /],
    ['/scores?run=../x', /^run: /],
    ['/scores?rater=a&rater=b', /^rater: /],
    ['/scores?rtaer=bob', /rtaer/],
    ['/scores.csv?since=yesterday', /^since: /],
    ['/scores.csv?latest=yes', /^latest: /],
    ['/scores.csv?format=long', /^format: /],
  ])('refuses %s with 400', async (url, message) => {
    const res = await request(app).get(url).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it('streams every submission as tidy RFC 4180 CSV, formulas neutralised', async () => {
    const res = await request(app).get('/scores.csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.text).toMatch(
      /^submission_id,submitted_at,rater_id,run_id,item_id,video_uri,criterion,value,comment,/,
    );
    expect(res.text.split('\r\n').length).toBeGreaterThan(8);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    const bob = rows.filter((r) => r.rater_id === 'bob');
    expect(bob.map((r) => r.comment)).toEqual([
      '\'=HYPERLINK("http://x")',
      'changed my mind, "really"\nsecond line',
    ]);
    expect(rows.find((r) => r.run_id === RUN2)?.comment).toBe("'+1 @here -5");
    const dan = rows.filter((r) => r.rater_id === 'dan');
    expect(dan.map((r) => [r.item_id, r.criterion, r.value])).toEqual([
      ['a', 'overall', '4'],
      ['a', 'kind', 'assembly'],
      ['a', 'safe', 'yes'],
      ['a', 'comment', '2'],
      ['b', 'overall', '2'],
      ['b', 'kind', 'packing'],
    ]);
  });

  it('filters by run, rater and since, and keeps each rater’s latest per item', async () => {
    const all = (await request(app).get('/scores').expect(200)).body as { submitted_at: string }[];
    const cut = all[3]!.submitted_at;
    const ids = async (q: string) => {
      const res = await request(app).get(`/scores.csv?${q}`).expect(200);
      return [
        ...new Set(
          (parse(res.text, { columns: true }) as Record<string, string>[]).map((r) => r.submission_id),
        ),
      ];
    };
    const json = (await request(app).get(`/scores?run=${RUN}`).expect(200)).body as {
      submission_id: string;
      rater_id: string;
    }[];
    expect(await ids(`run=${RUN}`)).toEqual(json.map((s) => s.submission_id));
    expect(await ids('rater=bob')).toHaveLength(2);
    expect(await ids(`since=${encodeURIComponent(cut)}`)).toEqual(
      (all as { submission_id: string; submitted_at: string }[])
        .filter((s) => s.submitted_at >= cut)
        .map((s) => s.submission_id),
    );
    expect(await ids('since=2099-01-01')).toEqual([]);
    const latest = await ids(`rater=bob&latest=1`);
    expect(latest).toEqual([json.filter((s) => s.rater_id === 'bob').at(-1)!.submission_id]);
  });

  it('writes one row per submission with a column per criterion in wide format', async () => {
    const res = await request(app).get(`/scores.csv?run=${RUBRIC_RUN}&format=wide`).expect(200);
    const [header] = res.text.split('\r\n');
    expect(header).toBe(
      'submission_id,submitted_at,rater_id,run_id,item_id,video_uri,overall,kind,safe,answer_comment,comment,time_spent_ms,app_version',
    );
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.item_id, r.overall, r.kind, r.safe, r.answer_comment])).toEqual([
      ['a', '4', 'assembly', 'yes', '2'],
      ['b', '2', 'packing', '', ''],
    ]);
  });

  it('is read by pandas.read_csv with numeric scores as numbers', async () => {
    const tidyFile = path.join(dir, 'tidy.csv');
    const wideFile = path.join(dir, 'wide.csv');
    await fs.writeFile(tidyFile, (await request(app).get(`/scores.csv?run=${RUN}`).expect(200)).text);
    await fs.writeFile(
      wideFile,
      (await request(app).get(`/scores.csv?run=${RUBRIC_RUN}&format=wide`).expect(200)).text,
    );
    const script = [
      'import json, sys, pandas as pd',
      't = pd.read_csv(sys.argv[1]); w = pd.read_csv(sys.argv[2])',
      'print(json.dumps({"value": str(t["value"].dtype), "time": str(t["time_spent_ms"].dtype),',
      ' "comment": str(t["comment"].dtype), "comments": t["comment"].fillna("").tolist(),',
      ' "overall": str(w["overall"].dtype), "kind": str(w["kind"].dtype), "sum": int(w["overall"].sum())}))',
    ].join('\n');
    const { stdout } = await exec('python3', ['-c', script, tidyFile, wideFile]);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toEqual({
      value: 'int64',
      time: 'float64',
      // pandas 3 reads text as `str`, earlier versions as `object`.
      comment: expect.stringMatching(/^(object|str)$/),
      comments: expect.arrayContaining([
        '\'=HYPERLINK("http://x")',
        'changed my mind, "really"\nsecond line',
      ]),
      overall: 'int64',
      kind: expect.stringMatching(/^(object|str)$/),
      sum: 6,
    });
  });
});

describe('GET /runs', () => {
  it('lists runs with model, prompt, item and rating counts, and rubric', async () => {
    const fresh = testApp(store);
    const res = await request(fresh).get('/runs').expect(200);
    const run = res.body.find((r: { id: string }) => r.id === RUN);
    expect(run).toEqual({
      id: RUN,
      createdAt: expect.any(String),
      model: 'gemini-2.5-pro',
      prompt: 'task_segmentation_v4',
      itemCount: 4,
      ratingCount: 4,
      rubric: expect.objectContaining({ criteria: [expect.objectContaining({ id: 'overall' })] }),
    });
    const rubric = res.body.find((r: { id: string }) => r.id === RUBRIC_RUN);
    expect(rubric.rubric.criteria.map((c: { id: string }) => c.id)).toEqual([
      'overall',
      'kind',
      'safe',
      'comment',
    ]);
  });

  it('gives one run with its manifest and metadata files', async () => {
    const res = await request(app).get(`/runs/${RUN}`).expect(200);
    expect(res.body.manifest).toEqual(expect.objectContaining({ runId: RUN, itemCount: 4 }));
    expect(Object.keys(res.body.metadata)).toEqual(['run_config.json']);
    await request(app).get('/runs/run_nope').expect(404);
    await request(app).get('/runs/..%2Fscores').expect(404);
  });

  it('gives each item with its video reference, URL, output, segments and error', async () => {
    const res = await request(app).get(`/runs/${RUN}/items`).expect(200);
    const first = res.body.find((i: { id: string }) => i.id === ITEM);
    expect(first).toEqual(
      expect.objectContaining({
        videoUri: 'gs://buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4',
        videoUrl: '/videos/buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4',
        segments: expect.any(Array),
      }),
    );
    expect(first.output).toBeDefined();
    expect(res.body.find((i: { id: string }) => i.id === 'line3_cam01_clip0050').error).toMatch(/429/);
  });

  it('gives the next item for a rater and their progress', async () => {
    const bob = await request(app).get(`/runs/${RUN}/next?rater=Bob`).expect(200);
    expect(bob.body.progress).toEqual({ done: 1, skipped: 0, total: 4 });
    expect(bob.body.item.id).not.toBe(ITEM);
    await request(app).get(`/runs/${RUN}/next`).expect(400);
    const bad = await request(app).get(`/runs/${RUN}/next?rater=%E2%80%AEevil`).expect(400);
    expect(bad.body.message).toMatch(/^rater: /);
    await request(app).get('/runs/run_nope/next?rater=bob').expect(404);
  });

  it('leaves out the items named in skip, repeated or comma-separated, and counts them', async () => {
    const items = (await request(app).get(`/runs/${RUN}/items`).expect(200)).body as { id: string }[];
    const all = items.map((i) => i.id);
    const first = (await request(app).get(`/runs/${RUN}/next?rater=newbie`).expect(200)).body;
    expect(first.progress).toEqual({ done: 0, skipped: 0, total: 4 });
    const offered: string[] = [first.item.id];
    // Skipping each offered item in turn walks through the whole run without repeats.
    for (let i = 1; i < all.length; i++) {
      const q =
        i % 2 ? offered.map((id) => `skip=${encodeURIComponent(id)}`).join('&') : `skip=${offered.join(',')}`;
      const res = (await request(app).get(`/runs/${RUN}/next?rater=newbie&${q}`).expect(200)).body;
      expect(offered).not.toContain(res.item.id);
      expect(res.progress).toEqual({ done: 0, skipped: i, total: 4 });
      offered.push(res.item.id);
    }
    expect([...offered].sort()).toEqual([...all].sort());
    const none = await request(app)
      .get(`/runs/${RUN}/next?rater=newbie&skip=${all.join(',')}`)
      .expect(200);
    expect(none.body).toEqual({ item: null, progress: { done: 0, skipped: 4, total: 4 } });
    // An item the rater has scored is done, not skipped; unknown IDs are ignored.
    const bob = await request(app)
      .get(`/runs/${RUN}/next?rater=Bob&skip=${ITEM}&skip=no_such_item`)
      .expect(200);
    expect(bob.body.progress).toEqual({ done: 1, skipped: 0, total: 4 });
  });

  it('refuses a bad or too long skip list', async () => {
    const bad = await request(app).get(`/runs/${RUN}/next?rater=bob&skip=a/../b`).expect(400);
    expect(bad.body.message).toMatch(/^skip/);
    await request(app).get(`/runs/${RUN}/next?rater=bob&skip=%00`).expect(400);
    const many = Array.from({ length: 501 }, (_, i) => `i${i}`).join(',');
    const long = await request(app).get(`/runs/${RUN}/next?rater=bob&skip=${many}`).expect(400);
    expect(long.body.message).toMatch(/at most 500/);
    await request(app)
      .get(`/runs/${RUN}/next?rater=bob&skip=${many.split(',').slice(1).join(',')}`)
      .expect(200);
    await request(app).get(`/runs/${RUN}/next?rater=bob&other=1`).expect(400);
  });
});
