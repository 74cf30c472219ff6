import * as fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  FileStore,
  LOCAL_BUCKET,
  listAll,
  RunCatalog,
  ScoreLedger,
  type ObjectStore,
} from '@fts/shared/node';
import { ScoreServer } from '../../cli/src/server';
import { testApp } from '../helpers/app';
import { EXAMPLES, tempDir } from '../helpers/tmp';
import { fileStoreFactory, itemJson, makeRunFolder, runCli, type TestStore } from './helpers';

const TOKEN = 'cli-test-upload-token-0123';
const RUN = 'run_20261115_101500';

/** The real app (createApp) over `store`, listening on a free port of 127.0.0.1. */
async function listen(
  store: ObjectStore,
  env: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = testApp(store, undefined, { COMPACTION_INTERVAL_MS: '0', ...env });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of listAll(store, { prefix })) keys.push(o.key);
  return keys.sort();
}

describe('score-cli against the real server (POST /runs, GET /runs, GET /scores.csv)', () => {
  let dataDir: string;
  let removeData: () => Promise<void>;
  let store: FileStore;
  let server: { url: string; close(): Promise<void> };
  let work: string;
  let removeWork: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: dataDir, cleanup: removeData } = await tempDir('fts-cli-srv-data-'));
    store = new FileStore(dataDir, LOCAL_BUCKET);
    server = await listen(store, { UPLOAD_TOKEN: TOKEN });
    ({ dir: work, cleanup: removeWork } = await tempDir('fts-cli-srv-'));
  });
  afterAll(async () => {
    await server.close();
    await removeData();
    await removeWork();
  });

  it('refuses a wrong token with exit 1 and says which setting to check; no run is stored', async () => {
    const r = await runCli(['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url], {
      env: { SCORE_UPLOAD_TOKEN: 'not-the-token-at-all' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: http:\/\/127\.0\.0\.1:\d+ refused the upload token \(Authorization: the upload token is wrong\): check --token or SCORE_UPLOAD_TOKEN against the server's UPLOAD_TOKEN\./,
    );
    expect(await keysUnder(store, 'inference_runs/')).toEqual([]);
  });

  it('is bad usage (exit 2) to upload to a server with no token', async () => {
    const r = await runCli(['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--server needs an upload token: pass --token or set SCORE_UPLOAD_TOKEN/);
  });

  it('uploads an example run with the token from the environment', async () => {
    const r = await runCli(['upload', path.join(EXAMPLES, 'runs', RUN), '--server', server.url], {
      env: { SCORE_UPLOAD_TOKEN: TOKEN },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`uploaded ${RUN}: 4 item(s), 5 file(s)`);
    const run = await new RunCatalog(store).get(RUN);
    expect(run.items).toHaveLength(4);
    expect(run.manifest.uploadedBy).toBe('POST /runs');
    expect(run.manifest.files.map((f) => f.path)).toContain('run_config.json');
  });

  it('keeps nested paths and JSONL lines as item IDs, the same as an upload straight into a store', async () => {
    const dir = await makeRunFolder(work, 'run_nested_srv', {
      'line3/cam01/day1/clip1.json': itemJson('gs://factory-videos/line3/cam01/clip1.mp4'),
      'line3/cam02/clip2.json': itemJson('gs://factory-videos/line3/cam02/clip2.mp4'),
      'batch/results.jsonl': ['a', 'b', 'c']
        .map((n) => JSON.stringify({ gcs_uri: `gs://factory-videos/${n}.mp4`, response: n }))
        .join('\n'),
      'line3/config.json': JSON.stringify({ model: 'm-nested', prompt_version: 'p7' }),
      'notes.txt': 'not run data',
    });
    const viaServer = await runCli(['upload', dir, '--server', server.url, '--token', TOKEN, '--json']);
    expect(viaServer.code).toBe(0);
    expect(JSON.parse(viaServer.stdout)).toMatchObject({ ok: true, runId: 'run_nested_srv', itemCount: 5 });

    const res = await fetch(`${server.url}/runs/run_nested_srv/items`);
    expect(res.status).toBe(200);
    const served = ((await res.json()) as { id: string; videoUri: string }[]).map((i) => [i.id, i.videoUri]);
    expect(served.map(([id]) => id)).toEqual([
      'batch/results~1',
      'batch/results~2',
      'batch/results~3',
      'line3/cam01/day1/clip1',
      'line3/cam02/clip2',
    ]);

    const direct: TestStore = await fileStoreFactory.make();
    try {
      expect((await runCli(['upload', dir, '--to', direct.url])).code).toBe(0);
      const items = (await new RunCatalog(direct.store).get('run_nested_srv')).items;
      expect(items.map((i) => [i.id, i.videoUri])).toEqual(served);
    } finally {
      await direct.cleanup();
    }
  });

  it('refuses a second upload of a run (409) until --replace, which swaps the files', async () => {
    const dir = await makeRunFolder(work, 'run_twice_srv', {
      'a.json': itemJson('videos/a.mp4'),
      'b.json': itemJson('videos/b.mp4'),
    });
    const args = ['upload', dir, '--server', server.url, '--token', TOKEN];
    expect((await runCli(args)).code).toBe(0);

    const again = await runCli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/run_twice_srv already exists.*Pass --replace/);
    expect((await new RunCatalog(store).get('run_twice_srv')).items.map((i) => i.id)).toEqual(['a', 'b']);

    await fs.rm(path.join(dir, 'b.json'));
    await fs.writeFile(path.join(dir, 'c.json'), itemJson('videos/c.mp4'));
    const replaced = await runCli([...args, '--replace']);
    expect(replaced.code).toBe(0);
    const res = await fetch(`${server.url}/runs/run_twice_srv/items`);
    expect(((await res.json()) as { id: string }[]).map((i) => i.id)).toEqual(['a', 'c']);
    expect(await keysUnder(store, 'inference_runs/run_twice_srv/')).toEqual([
      'inference_runs/run_twice_srv/a.json',
      'inference_runs/run_twice_srv/c.json',
      'inference_runs/run_twice_srv/manifest.json',
    ]);
  });

  it("lists runs, and writes one run's latest scores to a file with --latest -o", async () => {
    const ledger = new ScoreLedger(store);
    const sub = (id: string, at: string, rater: string, overall: number) =>
      ledger.record({
        submission_id: id,
        submitted_at: at,
        rater_id: rater,
        run_id: RUN,
        item_id: 'line3_cam01_clip0047',
        video_uri: 'gs://x/v.mp4',
        answers: { overall },
        comment: '',
      });
    await sub('sub-00001', '2026-11-20T10:00:00.000Z', 'alice', 2);
    await sub('sub-00002', '2026-11-20T10:01:00.000Z', 'bob', 3);
    // alice re-scores: --latest keeps only this one of hers.
    await sub('sub-00003', '2026-11-20T10:02:00.000Z', 'alice', 5);

    const runs = await runCli(['runs', '--server', server.url, '--json']);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toContainEqual(
      expect.objectContaining({ id: RUN, itemCount: 4, ratingCount: 3 }),
    );
    const table = await runCli(['runs', '--server', server.url]);
    expect(table.stdout).toMatch(new RegExp(`^${RUN}\\s+4\\s+3\\s+gemini-2.5-pro`, 'm'));

    const { dir, cleanup } = await tempDir('fts-cli-srv-out-');
    try {
      const r = await runCli(
        ['scores', '--server', server.url, '--run', RUN, '--latest', '-o', 'scores.csv'],
        {
          cwd: dir,
        },
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('wrote 2 score row(s) to scores.csv');
      const rows = parse(await fs.readFile(path.join(dir, 'scores.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[];
      expect(rows.map((x) => [x.submission_id, x.rater_id, x.value])).toEqual([
        ['sub-00002', 'bob', '3'],
        ['sub-00003', 'alice', '5'],
      ]);
      const all = await runCli(['scores', '--server', server.url, '--run', RUN]);
      expect(parse(all.stdout, { columns: true })).toHaveLength(3);
    } finally {
      await cleanup();
    }
  });

  it('stats --server prints what the same command reads straight from the store', async () => {
    const viaServer = await runCli(['stats', RUN, '--server', server.url, '--json']);
    expect(viaServer.code).toBe(0);
    const direct = await runCli(['stats', RUN, '--from', `file://${dataDir}`, '--json']);
    expect(JSON.parse(viaServer.stdout)).toEqual(JSON.parse(direct.stdout));
    expect(JSON.parse(viaServer.stdout)).toMatchObject({ runId: RUN, ratings: 2, submissions: 3 });
    const missing = await runCli(['stats', 'run_nope', '--server', server.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: could not get the results of run_nope from http:\S+: 404 /);
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

describe('score-cli against a server with uploads turned off (no UPLOAD_TOKEN)', () => {
  it('says uploads are off and what to do instead, and stores nothing', async () => {
    const t = await fileStoreFactory.make();
    const server = await listen(t.store, {});
    try {
      const r = await runCli([
        'upload',
        path.join(EXAMPLES, 'runs', RUN),
        '--server',
        server.url,
        '--token',
        TOKEN,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /uploads are off on http:\/\/127\.0\.0\.1:\d+ \(uploads over HTTP are turned off on this server \(UPLOAD_TOKEN is not set\)\): the server needs UPLOAD_TOKEN set, or upload with --to gs:\/\/BUCKET\./,
      );
      expect(await keysUnder(t.store, 'inference_runs/')).toEqual([]);
    } finally {
      await server.close();
      await t.cleanup();
    }
  });
});
