import * as path from 'node:path';
import request from 'supertest';
import type { FileStore, ObjectStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { EXAMPLES } from '../helpers/tmp';
import { demoStore, RUN, snapshot, TOKEN } from './fixture';
import { folderParts, sendParts, type Part } from './multipart';

let dir: string;
let store: FileStore;
let cleanup: () => Promise<void>;
let runParts: Part[];

beforeAll(async () => {
  ({ dir, store, cleanup } = await demoStore());
  runParts = await folderParts(path.join(EXAMPLES, 'runs', RUN));
});
afterAll(() => cleanup());

const item = (video: string, extra: object = {}) =>
  JSON.stringify({ video_uri: video, output: { steps: [] }, ...extra });
const file = (filename: string, content: string | Buffer): Part => ({ field: 'files', filename, content });
const runId = (id: string): Part => ({ field: 'run_id', value: id });
/** `token` null: no Authorization header. */
const upload = (app: ReturnType<typeof testApp>, parts: Part[], token: string | null = TOKEN) => {
  const req = request(app).post('/runs');
  if (token !== null) req.set('Authorization', `Bearer ${token}`);
  return sendParts(req, parts);
};
const withToken = (env: Record<string, string> = {}) =>
  testApp(store, undefined, { UPLOAD_TOKEN: TOKEN, ...env });

describe('POST /runs', () => {
  it('creates a run from files at any depth, skipping what is not run data', async () => {
    const app = withToken();
    const extraVideo = '/videos/buildai-dataset/videos/extra.mp4';
    const unknown = await request(app).get(extraVideo).expect(404);
    expect(unknown.body.message).toMatch(/in any run/);
    const res = await upload(app, [
      runId('run_http_1'),
      ...runParts,
      file('sub/dir/extra.json', item('gs://buildai-dataset/videos/extra.mp4')),
      file('notes.txt', 'not data'),
      file('manifest.json', '{}'),
    ]).expect(201);
    expect(res.body).toEqual({
      runId: 'run_http_1',
      itemCount: 5,
      files: 6,
      skipped: [
        { path: 'notes.txt', reason: 'not a .json or .jsonl file' },
        { path: 'manifest.json', reason: 'name reserved for the upload manifest' },
      ],
    });
    const runs = await request(app).get('/runs').expect(200);
    expect(runs.body.map((r: { id: string }) => r.id)).toContain('run_http_1');
    const items = await request(app).get('/runs/run_http_1/items').expect(200);
    expect(items.body.map((i: { id: string }) => i.id)).toContain('sub/dir/extra');
    const detail = await request(app).get('/runs/run_http_1').expect(200);
    expect(detail.body.model).toBe('gemini-2.5-pro');
    expect(detail.body.metadata['run_config.json']).toEqual(expect.objectContaining({ n_videos: 4 }));
    expect(await store.stat('inference_runs/run_http_1/notes.txt')).toBeUndefined();
    // The new run's videos are servable at once on this instance (referenced, but not in the bucket).
    const referenced = await request(app).get(extraVideo).expect(404);
    expect(referenced.body.message).toMatch(/video not found/);
  });

  it('refuses an existing run with 409 unless replacement is asked for', async () => {
    const app = withToken();
    const before = await snapshot(dir);
    const again = await upload(app, [runId(RUN), file('one.json', item('videos/a.mp4'))]).expect(409);
    expect(again.body.error).toBe('conflict');
    expect(await snapshot(dir)).toEqual(before);

    const replaced = await upload(app, [
      runId(RUN),
      { field: 'replace', value: 'true' },
      file('one.json', item('videos/a.mp4')),
    ]).expect(201);
    expect(replaced.body.itemCount).toBe(1);
    const items = await request(app).get(`/runs/${RUN}/items`).expect(200);
    expect(items.body.map((i: { id: string }) => i.id)).toEqual(['one']);
    // Put the example back for the other tests.
    await upload(app, [runId(RUN), { field: 'replace', value: '1' }, ...runParts]).expect(201);
  });

  it('lists a run only once its manifest is written', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reachedManifest!: () => void;
    const atManifest = new Promise<void>((r) => (reachedManifest = r));
    const gated = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'write') {
          return async (key: string, ...rest: unknown[]) => {
            if (key.endsWith('/manifest.json')) {
              reachedManifest();
              await gate;
            }
            return (target.write as (...a: unknown[]) => unknown).call(target, key, ...rest);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as ObjectStore;
    const uploading = upload(testApp(gated, undefined, { UPLOAD_TOKEN: TOKEN }), [
      runId('run_http_gated'),
      file('a.json', item('videos/a.mp4')),
    ]).then((r) => r);
    await atManifest;
    expect(await store.stat('inference_runs/run_http_gated/a.json')).toBeDefined();
    const reader = testApp(store);
    const during = await request(reader).get('/runs').expect(200);
    expect(during.body.map((r: { id: string }) => r.id)).not.toContain('run_http_gated');
    await request(reader).get('/runs/run_http_gated/items').expect(404);
    release();
    expect((await uploading).status).toBe(201);
    await request(reader).get('/runs/run_http_gated/items').expect(200);
  });

  const refusals: [string, () => ReturnType<typeof testApp>, Part[], string | null, number, RegExp][] = [
    [
      'no token configured',
      () => testApp(store),
      [runId('run_x'), file('a.json', item('v/a.mp4'))],
      TOKEN,
      403,
      /UPLOAD_TOKEN/,
    ],
    [
      'a missing token',
      () => withToken(),
      [runId('run_x'), file('a.json', item('v/a.mp4'))],
      null,
      401,
      /Bearer/,
    ],
    [
      'a wrong token',
      () => withToken(),
      [runId('run_x'), file('a.json', item('v/a.mp4'))],
      `${TOKEN}x`,
      401,
      /wrong/,
    ],
    [
      'an empty token',
      () => withToken(),
      [runId('run_x'), file('a.json', item('v/a.mp4'))],
      '',
      401,
      /Bearer/,
    ],
    ['a missing run_id', () => withToken(), [file('a.json', item('v/a.mp4'))], TOKEN, 400, /^run_id: /],
    [
      'a run_id with ..',
      () => withToken(),
      [runId('../scores'), file('a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /^run_id: /,
    ],
    [
      'a run_id with a space',
      () => withToken(),
      [runId('run x'), file('a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /^run_id: /,
    ],
    [
      'run_id sent twice',
      () => withToken(),
      [runId('run_x'), runId('run_y'), file('a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /^run_id: /,
    ],
    [
      'replace=yes',
      () => withToken(),
      [runId('run_x'), { field: 'replace', value: 'yes' }, file('a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /^replace: /,
    ],
    [
      'an unknown field',
      () => withToken(),
      [runId('run_x'), { field: 'owner', value: 'me' }, file('a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /owner/,
    ],
    ['no files', () => withToken(), [runId('run_x')], TOKEN, 400, /^files: /],
    [
      'a file field not named files',
      () => withToken(),
      [runId('run_x'), { field: 'file', filename: 'a.json', content: item('v/a.mp4') }],
      TOKEN,
      400,
      /files/,
    ],
    [
      'a .. file name',
      () => withToken(),
      [runId('run_x'), file('../a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /\.\.\/a\.json: file name/,
    ],
    [
      'an absolute file name',
      () => withToken(),
      [runId('run_x'), file('/etc/a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /absolute/,
    ],
    [
      'a drive-letter file name',
      () => withToken(),
      [runId('run_x'), file('C:/a.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /absolute/,
    ],
    [
      'a backslash file name',
      () => withToken(),
      [runId('run_x'), file('a\\..\\b.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /backslash/,
    ],
    [
      'an empty segment',
      () => withToken(),
      [runId('run_x'), file('a//b.json', item('v/a.mp4'))],
      TOKEN,
      400,
      /segments/,
    ],
    [
      'a file sent twice',
      () => withToken(),
      [runId('run_x'), file('a.json', item('v/a.mp4')), file('a.json', item('v/b.mp4'))],
      TOKEN,
      400,
      /sent twice/,
    ],
    [
      'invalid JSON',
      () => withToken(),
      [runId('run_x'), file('a.json', item('v/a.mp4')), file('b.json', '{"video_uri": ')],
      TOKEN,
      400,
      /b\.json: invalid JSON/,
    ],
    [
      'a bad rubric',
      () => withToken(),
      [runId('run_x'), file('a.json', item('v/a.mp4')), file('rubric.json', '{"criteria": []}')],
      TOKEN,
      400,
      /invalid rubric/,
    ],
    [
      'no items',
      () => withToken(),
      [runId('run_x'), file('config.json', '{"model": "m"}')],
      TOKEN,
      400,
      /no items/,
    ],
    [
      'too many files',
      () => withToken({ UPLOAD_MAX_FILES: '2' }),
      [
        runId('run_x'),
        file('a.json', item('v/a.mp4')),
        file('b.json', item('v/b.mp4')),
        file('c.json', item('v/c.mp4')),
      ],
      TOKEN,
      413,
      /too many files/,
    ],
    [
      'a file over the size limit',
      () => withToken({ UPLOAD_MAX_FILE_BYTES: '100' }),
      [runId('run_x'), file('a.json', item('v/a.mp4', { pad: 'x'.repeat(200) }))],
      TOKEN,
      413,
      /larger/,
    ],
    [
      'an upload over the total limit',
      () => withToken({ UPLOAD_MAX_TOTAL_BYTES: '300' }),
      [
        runId('run_x'),
        file('a.json', item('v/a.mp4', { pad: 'x'.repeat(150) })),
        file('b.json', item('v/b.mp4', { pad: 'x'.repeat(150) })),
      ],
      TOKEN,
      413,
      /larger than 300 bytes/,
    ],
  ];

  it.each(refusals)(
    'refuses %s without storing anything',
    async (_what, makeApp, parts, token, status, message) => {
      const before = await snapshot(dir);
      const res = await upload(makeApp(), parts, token);
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(await snapshot(dir)).toEqual(before);
    },
  );

  it('lists every problem in the body', async () => {
    const res = await upload(withToken(), [
      runId('run_x'),
      file('../up.json', item('v/a.mp4')),
      file('b.json', '[1'),
      file('c.jsonl', `${item('v/c.mp4')}\n{"output": 1}\n`),
    ]).expect(400);
    expect(res.body.problems.map((p: { path: string }) => p.path)).toEqual([
      '../up.json',
      'b.json',
      'c.jsonl:2',
    ]);
  });

  it('answers a body that is not multipart with 400, and a missing token before reading it', async () => {
    const json = await request(withToken())
      .post('/runs')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ run_id: 'run_x' })
      .expect(400);
    expect(json.body.message).toMatch(/multipart\/form-data/);
    const res = await request(withToken()).post('/runs').send({ run_id: 'run_x' }).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="uploads"');
  });
});
