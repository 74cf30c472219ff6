import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { FileStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { demoStore, RUN, snapshot, submission, TOKEN } from './fixture';
import { sendParts } from './multipart';

let dir: string;
let store: FileStore;
let cleanup: () => Promise<void>;
let app: ReturnType<typeof testApp>;

beforeAll(async () => {
  ({ dir, store, cleanup } = await demoStore());
  app = testApp(store, undefined, { UPLOAD_TOKEN: TOKEN });
});
afterAll(() => cleanup());

const postJson = (body: unknown) =>
  request(app)
    .post('/scores')
    .send(body as object);
const postRaw = (body: string, type = 'application/json') =>
  request(app).post('/scores').set('Content-Type', type).send(body);
const uploadWith = (authorization: string | undefined) => {
  const req = request(app).post('/runs');
  if (authorization !== undefined) req.set('Authorization', authorization);
  return sendParts(req, [
    { field: 'run_id', value: 'run_sneaky' },
    { field: 'files', filename: 'a.json', content: JSON.stringify({ video_uri: 'videos/a.mp4' }) },
  ]);
};

/** Each case: what is sent, the exact status, and a pattern the message must match. */
const refused: [string, () => request.Test, number, RegExp][] = [
  ['malformed JSON', () => postRaw('{"submission_id": '), 400, /malformed JSON/],
  ['JSON that is a string', () => postRaw('"hello"'), 400, /malformed JSON/],
  ['a JSON array', () => postJson([submission()]), 400, /^\(body\): /],
  ['JSON null', () => postRaw('null'), 400, /malformed JSON/],
  ['a text/plain body', () => postRaw(JSON.stringify(submission()), 'text/plain'), 400, /^\(body\): /],
  ['an unsupported charset', () => postRaw('{}', 'application/json; charset=iso-8859-1'), 415, /charset/],
  ['answers as a string', () => postJson(submission({ answers: '5' })), 400, /^answers: /],
  [
    'a boolean answer',
    () => postJson(submission({ answers: { overall: true } })),
    400,
    /^answers\.overall: /,
  ],
  ['a numeric rater ID', () => postJson(submission({ rater_id: 5 })), 400, /^rater_id: /],
  ['a numeric comment', () => postJson(submission({ comment: 5 })), 400, /^comment: /],
  ['time as a string', () => postJson(submission({ time_spent_ms: '10' })), 400, /^time_spent_ms: /],
  ['a huge body', () => postJson(submission({ comment: 'x'.repeat(100_000) })), 413, /too large/],
  [
    'a comment over 5000 characters',
    () => postJson(submission({ comment: 'x'.repeat(5001) })),
    400,
    /^comment: /,
  ],
  ['a NUL in a comment', () => postJson(submission({ comment: 'a\u0000b' })), 400, /^comment: .*control/],
  [
    'an escape sequence in a comment',
    () => postJson(submission({ comment: '\u001b[31mred' })),
    400,
    /^comment: /,
  ],
  ['a non-ASCII rater ID', () => postJson(submission({ rater_id: 'ålice' })), 400, /^rater_id: /],
  [
    'a right-to-left override in a rater ID',
    () => postJson(submission({ rater_id: '\u202ealice' })),
    400,
    /^rater_id: /,
  ],
  [
    'a zero-width space in a rater ID',
    () => postJson(submission({ rater_id: 'al\u200bice' })),
    400,
    /^rater_id: /,
  ],
  ['a newline in a rater ID', () => postJson(submission({ rater_id: 'al\nice' })), 400, /^rater_id: /],
  ['a bell in a rater ID', () => postJson(submission({ rater_id: 'alice\u0007' })), 400, /^rater_id: /],
  ['an emoji rater ID', () => postJson(submission({ rater_id: '🙂' })), 400, /^rater_id: /],
  ['a formula as rater ID', () => postJson(submission({ rater_id: '=cmd()' })), 400, /^rater_id: /],
  ['an empty rater ID', () => postJson(submission({ rater_id: '   ' })), 400, /^rater_id: /],
  [
    'a __proto__ answer',
    () => postRaw(JSON.stringify(submission()).replace('"answers":{', '"answers":{"__proto__":1,')),
    400,
    /^answers\.__proto__: /,
  ],
  [
    'a server-set field (submitted_at) in the body',
    () => postJson({ ...submission(), submitted_at: '2020-01-01T00:00:00Z' }),
    400,
    /^submitted_at: not a known field/,
  ],
  ['a traversal item ID', () => postJson(submission({ item_id: '../../scores/scores' })), 400, /^item_id: /],
  ['a traversal run ID', () => postJson(submission({ run_id: '../scores' })), 400, /^run_id: /],
  ['a unicode rater in GET /scores', () => request(app).get('/scores?rater=%C3%A5lice'), 400, /^rater: /],
  ['an unknown query parameter', () => request(app).get('/scores.csv?foo=1'), 400, /^foo: not a known field/],
  [
    'a bracketed query parameter',
    () => request(app).get('/scores?run[a]=1'),
    400,
    /^run\[a\]: not a known field/,
  ],
  ['a repeated query parameter', () => request(app).get('/scores?run=a&run=b'), 400, /^run: /],
  ['a NUL rater in /next', () => request(app).get(`/runs/${RUN}/next?rater=%00`), 400, /^rater: /],
  ['videos: traversal', () => request(app).get('/videos/local/videos/../scores/scores.csv'), 404, /no video/],
  [
    'videos: encoded traversal',
    () => request(app).get('/videos/local/videos/%2e%2e/scores/scores.csv'),
    404,
    /no video/,
  ],
  [
    'videos: double encoding',
    () => request(app).get('/videos/local/videos/%252e%252e%252fscores/scores.csv'),
    404,
    /no video/,
  ],
  [
    'videos: encoded slash',
    () => request(app).get('/videos/local/inference_runs%2Frun_20261115_101500%2Fmanifest.json'),
    404,
    /no video/,
  ],
  ['videos: scores.csv', () => request(app).get('/videos/local/scores/scores.csv'), 404, /no video/],
  ['upload: missing token', () => uploadWith(undefined), 401, /Bearer/],
  ['upload: wrong token', () => uploadWith(`Bearer ${TOKEN.slice(0, -1)}X`), 401, /wrong/],
  ['upload: token prefix', () => uploadWith(`Bearer ${TOKEN.slice(0, -1)}`), 401, /wrong/],
  [
    'upload: basic auth',
    () => uploadWith(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`),
    401,
    /Bearer/,
  ],
  ['upload: token without scheme', () => uploadWith(TOKEN), 401, /Bearer/],
];

describe('bad input changes nothing', () => {
  beforeAll(async () => {
    // Something in the ledger, so "unchanged" covers scores too.
    await request(app)
      .post('/scores')
      .send(submission({ submission_id: 'sub-seed-0001' }))
      .expect(201);
  });

  it.each(refused)('%s', async (_name, send, status, message) => {
    const before = await snapshot(dir);
    const res = await send();
    expect({ status: res.status, error: typeof res.body.error }).toEqual({ status, error: 'string' });
    expect(res.body.message).toMatch(message);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('awkward but valid input is stored exactly and exported safely', () => {
  const accepted: [string, Record<string, unknown>, string][] = [
    ['commas and quotes', { comment: 'slow, then "fast", then slow' }, 'slow, then "fast", then slow'],
    ['newlines', { comment: 'line one\nline two\r\nline three' }, 'line one\nline two\r\nline three'],
    ['a leading =', { comment: '=SUM(A1:A9)' }, "'=SUM(A1:A9)"],
    ['a leading +', { comment: '+33 6 12' }, "'+33 6 12"],
    ['a leading -', { comment: '-2 steps missed' }, "'-2 steps missed"],
    ['a leading @', { comment: '@SUM(1)' }, "'@SUM(1)"],
    ['a leading tab', { comment: '\t=1+1' }, "'\t=1+1"],
    ['a leading quote', { comment: "'quoted" }, "''quoted"],
    ['unicode', { comment: 'ça marche — 好 🙂' }, 'ça marche — 好 🙂'],
  ];

  it.each(accepted)('%s', async (_name, overrides, cell) => {
    const body = submission(overrides);
    const res = await request(app).post('/scores').send(body).expect(201);
    expect(res.body.submission.comment).toBe(overrides.comment);
    const csv = await request(app).get('/scores.csv?rater=alice').expect(200);
    const row = (parse(csv.text, { columns: true, relax_quotes: false }) as Record<string, string>[]).find(
      (r) => r.submission_id === body.submission_id,
    );
    expect(row?.comment).toBe(cell);
  });

  it('normalises a full-width rater ID to ASCII', async () => {
    const res = await request(app)
      .post('/scores')
      .send(submission({ rater_id: 'ＡＬＩＣＥ' }))
      .expect(201);
    expect(res.body.submission.rater_id).toBe('alice');
  });
});
