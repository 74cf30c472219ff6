import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { RunCatalog, ScoreLedger, listAll } from '@fts/shared/node';
import { ScoreServer } from '../../cli/src/server';
import { EXAMPLES, tempDir } from '../helpers/tmp';
import { itemJson, makeRunFolder, runCli, STORE_FACTORIES, type TestStore } from './helpers';
import { startUploadServer } from './upload-server';

const TOKEN = 'test-upload-token';
const RUN = 'run_20261115_101500';

describe.each(STORE_FACTORIES)('score-cli against a server (over the $name store)', (factory) => {
  let t: TestStore;
  let server: Awaited<ReturnType<typeof startUploadServer>>;
  let work: string;
  let removeWork: () => Promise<void>;

  beforeAll(async () => {
    t = await factory.make();
    server = await startUploadServer(t.store, TOKEN);
    ({ dir: work, cleanup: removeWork } = await tempDir('fts-cli-srv-'));
  });
  afterAll(async () => {
    await server.close();
    await t.cleanup();
    await removeWork();
  });

  it('refuses to upload with a wrong token, and sends no run', async () => {
    const r = await runCli(['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url], {
      env: { SCORE_UPLOAD_TOKEN: 'not-the-token' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the upload token.*check --token or SCORE_UPLOAD_TOKEN/);
    expect(await new RunCatalog(t.store).runIds()).toEqual([]);
  });

  it('is bad usage to upload to a server with no token', async () => {
    const r = await runCli(['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--server needs an upload token: pass --token or set SCORE_UPLOAD_TOKEN/);
  });

  it('uploads an example run through POST /runs with the token from the environment', async () => {
    const r = await runCli(['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url], {
      env: { SCORE_UPLOAD_TOKEN: TOKEN },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`uploaded ${RUN}: 4 item(s), 5 file(s)`);
    const run = await new RunCatalog(t.store).get(RUN);
    expect(run.items).toHaveLength(4);
    expect(run.manifest.files.map((f) => f.path)).toContain('run_config.json');
  });

  it('sends nested paths as the file names, so items keep their IDs', async () => {
    const dir = await makeRunFolder(work, 'run_nested_srv', {
      'a/b/c/clip.json': itemJson('videos/clip.mp4'),
      'a/b/other.json': itemJson('videos/other.mp4'),
    });
    const r = await runCli(['upload', dir, '--server', server.url, '--token', TOKEN, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, runId: 'run_nested_srv', itemCount: 2 });
    const run = await new RunCatalog(t.store).get('run_nested_srv');
    expect(run.items.map((i) => i.id)).toEqual(['a/b/c/clip', 'a/b/other']);
  });

  it('refuses a second upload of the run (409), and replaces it with --replace', async () => {
    const args = ['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url, '--token', TOKEN];
    const again = await runCli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists .*Pass --replace/);
    const dry = await runCli([...args, '--dry-run']);
    expect(dry.code).toBe(1);
    const replaced = await runCli([...args, '--replace']);
    expect(replaced.code).toBe(0);
    const keys: string[] = [];
    for await (const o of listAll(t.store, { prefix: `inference_runs/${RUN}/` })) keys.push(o.key);
    expect(keys).toHaveLength(6);
  });

  it('lists runs and downloads scores through GET /runs and GET /scores.csv', async () => {
    const ledger = new ScoreLedger(t.store);
    const base = { run_id: RUN, video_uri: 'gs://x/v.mp4', comment: '' };
    await ledger.record({
      ...base,
      submission_id: 'sub-00001',
      submitted_at: '2026-11-20T10:00:00.000Z',
      rater_id: 'alice',
      item_id: 'line3_cam01_clip0047',
      answers: { overall: 4 },
    });
    await ledger.record({
      ...base,
      submission_id: 'sub-00002',
      submitted_at: '2026-11-20T10:01:00.000Z',
      rater_id: 'bob',
      item_id: 'line3_cam01_clip0047',
      answers: { overall: 2 },
    });

    const runs = await runCli(['runs', '--server', server.url, '--json']);
    expect(runs.code).toBe(0);
    const listed = JSON.parse(runs.stdout);
    expect(listed).toContainEqual(expect.objectContaining({ id: RUN, itemCount: 4, ratingCount: 2 }));
    const table = await runCli(['runs', '--server', server.url]);
    expect(table.stdout).toMatch(new RegExp(`${RUN}\\s+4\\s+2\\s+gemini-2.5-pro`));

    const scores = await runCli(['scores', '--server', server.url, '--run', RUN, '--latest']);
    expect(scores.code).toBe(0);
    const rows = parse(scores.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.rater_id, r.value])).toEqual([
      ['alice', '4'],
      ['bob', '2'],
    ]);
    expect(server.requests).toContain(`GET /scores.csv?run=${RUN}&latest=1`);
  });

  it("shows the server's own problem list when it refuses files (400)", async () => {
    const dir = await makeRunFolder(work, 'run_refused', { 'bad.json': '{"video_uri": ' });
    const upload = new ScoreServer(server.url, { token: TOKEN }).uploadRun('run_refused', [
      { path: 'bad.json', absPath: path.join(dir, 'bad.json') },
    ]);
    await expect(upload).rejects.toMatchObject({
      message: expect.stringMatching(/refused the run \(400\)/),
      details: [expect.stringMatching(/^problem bad\.json: invalid JSON/)],
    });
  });

  it('says clearly when the server cannot be reached', async () => {
    const r = await runCli(['runs', '--server', 'http://127.0.0.1:9/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9.*Check the address/);
  });
});
