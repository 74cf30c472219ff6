import request from 'supertest';
import type { FileStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { demoStore, snapshot, submission, TOKEN } from './fixture';
import { sendParts, type Part } from './multipart';

let dir: string;
let store: FileStore;
let cleanup: () => Promise<void>;
let app: ReturnType<typeof testApp>;

beforeAll(async () => {
  ({ dir, store, cleanup } = await demoStore());
  app = testApp(store, undefined, { UPLOAD_TOKEN: TOKEN, RATE_LIMIT_WRITES: '0' });
});
afterAll(() => cleanup());

const item = (video: string): string => JSON.stringify({ video_uri: video, output: 'x' });
const file = (filename: string, content: string): Part => ({ field: 'files', filename, content });
const upload = (runId: string, files: Part[]) =>
  sendParts(request(app).post('/runs').set('Authorization', `Bearer ${TOKEN}`), [
    { field: 'run_id', value: runId },
    ...files,
  ]);

describe('two records that would get the same item id are refused', () => {
  // Scores name an item by id: two items sharing one would have their scores mixed up.
  it.each<[string, Part[]]>([
    ['a.json and a.JSON', [file('a.json', item('videos/a.mp4')), file('a.JSON', item('videos/b.mp4'))]],
    [
      'a~1.json and line 1 of a.jsonl',
      [file('a~1.json', item('videos/a.mp4')), file('a.jsonl', item('videos/b.mp4'))],
    ],
    [
      'b~2.json and the second record of the array in b.json',
      [
        file('b.json', JSON.stringify([{ video_uri: 'videos/a.mp4' }, { video_uri: 'videos/b.mp4' }])),
        file('b~2.json', item('videos/c.mp4')),
      ],
    ],
    [
      'x.json and x.jsonl without blank lines',
      [
        file('x.json', item('videos/a.mp4')),
        file('sub/x~1.json', item('videos/a.mp4')),
        file('sub/x.jsonl', item('videos/b.mp4')),
      ],
    ],
  ])('%s', async (_name, files) => {
    const before = await snapshot(dir);
    const res = await upload('run_same_ids', files).expect(400);
    expect(res.body.message).toMatch(/item id .* (also|more than once)/);
    expect(res.body.problems.length).toBeGreaterThan(0);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('ids that differ only in case are distinct items, and both can be scored', async () => {
    await upload('run_case_ids', [
      file('A.json', item('videos/a.mp4')),
      file('a.json', item('videos/b.mp4')),
    ]).expect(201);
    const items = await request(app).get('/runs/run_case_ids/items').expect(200);
    expect(items.body.map((i: { id: string }) => i.id)).toEqual(['A', 'a']);
  });
});

describe('deeply nested JSON in a run file', () => {
  const deep = (n: number): string =>
    `{"video_uri":"videos/a.mp4","output":${'['.repeat(n)}${']'.repeat(n)}}`;

  it('is refused at upload, naming the file, rather than stored and failing every later read', async () => {
    const res = await upload('run_deep', [file('deep.json', deep(20_000))]).expect(400);
    expect(res.body.problems).toEqual([
      { path: 'deep.json', reason: expect.stringMatching(/nested deeper than/) },
    ]);
    await request(app).get('/runs/run_deep').expect(404);
  });

  it('is refused on a JSONL line too', async () => {
    const res = await upload('run_deep_l', [
      file('d.jsonl', `${item('videos/a.mp4')}\n${deep(5000)}\n`),
    ]).expect(400);
    expect(res.body.problems).toEqual([
      { path: 'd.jsonl:2', reason: expect.stringMatching(/nested deeper than/) },
    ]);
  });

  it('nesting as deep as real pipelines write is kept, and the items are served', async () => {
    await upload('run_nested_ok', [file('ok.json', deep(40))]).expect(201);
    const items = await request(app).get('/runs/run_nested_ok/items').expect(200);
    expect(items.body).toHaveLength(1);
  });
});

describe('a rubric criterion named like an Object property', () => {
  it('an optional "constructor" criterion may be left unanswered, and answered', async () => {
    const rubric = {
      criteria: [
        { id: 'overall', label: 'Overall', type: 'scale', min: 1, max: 5 },
        { id: 'constructor', label: 'Built right?', type: 'yesno', required: false },
        { id: 'tostring', label: 'Other', type: 'scale', min: 1, max: 3, required: false },
      ],
    };
    await upload('run_ctor', [
      file('rubric.json', JSON.stringify(rubric)),
      file('x.json', item('videos/a.mp4')),
    ]).expect(201);
    const base = { run_id: 'run_ctor', item_id: 'x', rater_id: 'ctor' };
    const left = await request(app)
      .post('/scores')
      .send(submission({ ...base, answers: { overall: 3 } }))
      .expect(201);
    expect(left.body.submission.answers).toEqual({ overall: 3 });
    const answered = await request(app)
      .post('/scores')
      .send(submission({ ...base, answers: { overall: 2, constructor: 'no' } }))
      .expect(201);
    expect(answered.body.submission.answers).toEqual({ overall: 2, constructor: 'no' });
  });
});

describe('a rubric.json below the top of the run folder', () => {
  const rubric = (id: string) =>
    JSON.stringify({ criteria: [{ id, label: id, type: 'scale', min: 1, max: 3 }] });

  it('is metadata, not the rubric: only the top-level rubric.json sets it', async () => {
    await upload('run_sub_rubric', [
      file('a/rubric.json', rubric('from_a')),
      file('rubric.json', rubric('from_top')),
      file('z/rubric.json', rubric('from_z')),
      file('x.json', item('videos/a.mp4')),
    ]).expect(201);
    const run = await request(app).get('/runs/run_sub_rubric').expect(200);
    expect(run.body.rubric.criteria.map((c: { id: string }) => c.id)).toEqual(['from_top']);
    expect(Object.keys(run.body.metadata).sort()).toEqual(['a/rubric.json', 'z/rubric.json']);
  });

  it('alone leaves the default rubric', async () => {
    await upload('run_only_sub_rubric', [
      file('z/rubric.json', rubric('from_z')),
      file('x.json', item('videos/a.mp4')),
    ]).expect(201);
    const run = await request(app).get('/runs/run_only_sub_rubric').expect(200);
    expect(run.body.rubric.criteria.map((c: { id: string }) => c.id)).toEqual(['overall']);
  });
});

describe('file names that would display as something else', () => {
  // An item id is its file's path: a bidirectional override or a C1 control in it makes the
  // id the rater sees differ from the one stored (RLO turns "gpj.json" around, for instance).
  it.each([
    ['a right-to-left override', 'clip\u202Egnp.json'],
    ['a left-to-right isolate', 'sub/\u2066clip.json'],
    ['a right-to-left mark', 'clip\u200F.json'],
    ['a C1 control', 'clip\u0085.json'],
  ])('%s is refused, naming the file', async (_name, filename) => {
    const before = await snapshot(dir);
    const res = await upload('run_bidi', [file(filename, item('videos/a.mp4'))]).expect(400);
    expect(res.body.problems).toEqual([
      { path: filename, reason: expect.stringMatching(/bidirectional|control/) },
    ]);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('file names too long for an item id or an object name', () => {
  const seg = (c: string, n: number): string => c.repeat(n);
  // Every case also sends a good file, which must not be left behind half-uploaded.
  it.each([
    [
      'an item id over 512 characters (it could never be scored)',
      `${seg('a', 200)}/${seg('b', 200)}/${seg('c', 200)}.json`,
      /item id/,
    ],
    [
      'a path over 880 bytes (the object name would pass 1024 bytes)',
      `${seg('a', 200)}/${seg('b', 200)}/${seg('c', 200)}/${seg('d', 200)}/${seg('e', 200)}.json`,
      /bytes/,
    ],
    ['a folder or file name over 255 bytes', `${seg('a', 300)}.json`, /255 bytes/],
    ['a non-ASCII file name over 255 bytes', `${seg('好', 100)}.json`, /255 bytes/],
  ])('%s is refused before anything is stored', async (_name, filename, reason) => {
    const before = await snapshot(dir);
    const res = await upload('r'.repeat(128), [
      file('ok.json', item('videos/a.mp4')),
      file(filename, item('videos/b.mp4')),
    ]).expect(400);
    expect(res.body.problems).toEqual([{ path: filename, reason: expect.stringMatching(reason) }]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('the longest accepted names upload, and their items can be scored', async () => {
    const filename = `${seg('a', 250)}/${seg('b', 250)}.json`;
    await upload('run_long_names', [file(filename, item('videos/a.mp4'))]).expect(201);
    const res = await request(app)
      .post('/scores')
      .send(submission({ run_id: 'run_long_names', item_id: filename.replace(/\.json$/, '') }))
      .expect(201);
    expect(res.body.submission.item_id).toHaveLength(501);
  });
});
