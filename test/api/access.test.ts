import request from 'supertest';
import { FileStore, LOCAL_BUCKET } from '@fts/shared/node';
import { loadDemo } from '../../server/src/demo';
import { testApp } from '../helpers/app';
import { tempDir } from '../helpers/tmp';
import { runCli } from '../cli/helpers';

const CODE = 'line-3-raters';
const TOKEN = 'upload-token-0123456789';
const VIDEO = '/videos/buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4';

describe('the optional access code', () => {
  let store: FileStore;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const t = await tempDir('fts-access-');
    cleanup = t.cleanup;
    store = new FileStore(t.dir, LOCAL_BUCKET);
    await loadDemo(store);
  });
  afterAll(() => cleanup());

  const gated = () => testApp(store, undefined, { ACCESS_CODE: CODE, UPLOAD_TOKEN: TOKEN });

  it('is off by default: the API answers without a code', async () => {
    await request(testApp(store)).get('/runs').expect(200);
  });

  it('asks for the code on every API route, and says whether one was sent', async () => {
    const app = gated();
    for (const path of [
      '/runs',
      '/runs/run_20261115_101500/items',
      '/scores.csv',
      '/scores',
      VIDEO,
      '/compare',
    ]) {
      const res = await request(app).get(path).expect(401);
      expect(res.body.error).toBe('access_code_required');
    }
    const wrong = await request(app).get('/runs').set('X-Access-Code', 'guess').expect(401);
    expect(wrong.body).toEqual(expect.objectContaining({ error: 'access_code_wrong' }));
  });

  it('keeps the app itself, /healthz and /openapi.json open so the code can be asked for', async () => {
    const app = gated();
    await request(app).get('/healthz').expect(200);
    await request(app).get('/openapi.json').expect(200);
  });

  it('lets the code in, and sets a cookie that lets videos in (a <video> cannot send headers)', async () => {
    const app = gated();
    const res = await request(app).get('/runs').set('X-Access-Code', CODE).expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('fts_access='),
    );
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(CODE);
    await request(app).get(VIDEO).set('Cookie', cookie!.split(';')[0]!).set('Range', 'bytes=0-9').expect(206);
    await request(app)
      .get(VIDEO)
      .set('Cookie', `fts_access=${'0'.repeat(64)}`)
      .expect(401);
  });

  it('refuses a score without the code and stores nothing', async () => {
    const app = gated();
    const before = (await app.context.ledger.all()).length;
    await request(app)
      .post('/scores')
      .send({
        submission_id: 'sub-access-1',
        rater_id: 'alice',
        run_id: 'run_20261115_101500',
        item_id: 'line3_cam01_clip0047',
        answers: { overall: 3 },
      })
      .expect(401);
    expect((await app.context.ledger.all()).length).toBe(before);
  });

  it('lets the upload token through, so score-cli upload --server needs no code', async () => {
    const app = gated();
    await request(app).get('/runs').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('is sent by score-cli from SCORE_ACCESS_CODE, and a missing one says so', async () => {
    const app = gated();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const without = await runCli(['runs', '--server', url]);
      expect(without.code).toBe(1);
      expect(without.stderr).toMatch(/access code.*SCORE_ACCESS_CODE/);
      const withCode = await runCli(['runs', '--server', url], { env: { SCORE_ACCESS_CODE: CODE } });
      expect(withCode.code).toBe(0);
      expect(withCode.stdout).toContain('run_20261115_101500');
    } finally {
      server.close();
    }
  });
});
