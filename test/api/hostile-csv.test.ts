import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { SCORE_COLUMNS } from '@fts/shared';
import type { FileStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { demoStore, submission } from './fixture';

const exec = promisify(execFile);

let dir: string;
let store: FileStore;
let cleanup: () => Promise<void>;
let app: ReturnType<typeof testApp>;

beforeAll(async () => {
  ({ dir, store, cleanup } = await demoStore());
  app = testApp(store, undefined, { RATE_LIMIT_WRITES: '0' });
});
afterAll(() => cleanup());

/** Comments that are valid but awkward for a CSV writer or reader, as posted. */
const HOSTILE = [
  'bare\rcarriage return',
  'bare\nline feed',
  '\n',
  '\r',
  'ends with CR\r',
  'crlf\r\ninside',
  '"',
  '""',
  ',',
  'a,"b",c',
  'line separator\u2028paragraph\u2029end',
  '\ufeffstarts with a byte order mark',
  ' =1 (leading space)',
  '=1+1',
  '-1',
  '1e5',
  'NaN',
  "'",
  '\t=tab',
  'x'.repeat(4990) + '"\r\n,\n',
  '好'.repeat(5000),
  '🙂'.repeat(2500),
];

/** What the CSV cell holds: the documented neutralisation, and nothing else. */
const cell = (c: string): string => (/^-?\d+(\.\d+)?$/.test(c) ? c : /^[=+\-@\t\r']/.test(c) ? `'${c}` : c);

describe('hostile comments survive the CSV export', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    for (const comment of HOSTILE) {
      const body = submission({ rater_id: 'csv-hostile', comment });
      ids.push(body.submission_id as string);
      await request(app).post('/scores').send(body).expect(201);
    }
  });

  it.each(['tidy', 'wide'])('csv-parse (strict) reads every comment back exactly (%s)', async (format) => {
    const res = await request(app).get(`/scores.csv?rater=csv-hostile&format=${format}`).expect(200);
    const rows = parse(res.text, { columns: true, relax_quotes: false, bom: false }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => r.submission_id)).toEqual(ids);
    expect(rows.map((r) => r.comment)).toEqual(HOSTILE.map(cell));
    if (format === 'tidy') expect(Object.keys(rows[0]!)).toEqual([...SCORE_COLUMNS]);
  });

  it('pandas reads every comment back exactly, one row per submission', async () => {
    const file = path.join(dir, 'hostile.csv');
    await fs.writeFile(file, (await request(app).get('/scores.csv?rater=csv-hostile').expect(200)).text);
    const script = [
      'import json, sys, pandas as pd',
      'd = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)',
      'print(json.dumps({"columns": list(d.columns), "ids": d["submission_id"].tolist(),',
      ' "comments": d["comment"].tolist()}))',
    ].join('\n');
    const { stdout } = await exec('python3', ['-c', script, file], { maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(stdout)).toEqual({
      columns: [...SCORE_COLUMNS],
      ids,
      comments: HOSTILE.map(cell),
    });
  });
});

describe('text that UTF-8 cannot carry is refused, not altered', () => {
  it.each([
    ['a lone high surrogate in a comment', { comment: 'before \ud800 after' }, /^comment: /],
    ['a lone low surrogate in a comment', { comment: '\udc00' }, /^comment: /],
    ['a lone surrogate in app_version', { app_version: 'v\ud83d' }, /^app_version: /],
  ])('%s', async (_name, overrides, message) => {
    // JSON.stringify writes a lone surrogate as an escape, exactly as a hostile client would.
    const res = await request(app)
      .post('/scores')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(submission({ rater_id: 'csv-surrogate', ...overrides })))
      .expect(400);
    expect(res.body.message).toMatch(message);
    const csv = await request(app).get('/scores.csv?rater=csv-surrogate').expect(200);
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(1);
  });

  it('a well-formed pair (an emoji) is kept', async () => {
    const res = await request(app)
      .post('/scores')
      .send(submission({ rater_id: 'csv-surrogate-ok', comment: 'ok \ud83d\ude42' }))
      .expect(201);
    expect(res.body.submission.comment).toBe('ok 🙂');
  });
});
