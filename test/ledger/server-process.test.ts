import * as http from 'node:http';
import * as net from 'node:net';
import request from 'supertest';
import { FileStore, LOCAL_BUCKET, SCORES_CSV_KEY, forEachLimit, type ObjectStore } from '@fts/shared/node';
import { describeWithFakeGcs } from '../helpers/fake-gcs';
import { killServer, startServer, type ServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/tmp';
import { bucketCsvIds, csvRows, doubles, pendingKeys, submissionInput, uploadExampleRun } from './fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/**
 * Start the server on `store` (reachable by the child through `env`), send 40 submissions, kill
 * it with SIGKILL while a compaction holds between writing scores.csv and deleting what it
 * folded, restart it, resend all 40 and 10 more: each of the 50 is then once in the bucket's
 * scores.csv and in GET /scores.csv. `track` is told of every server started, so the caller's
 * afterEach can kill one left running by a failure.
 */
async function killMidCompaction(
  store: ObjectStore,
  env: Record<string, string>,
  track: (s: ServerProcess) => void,
): Promise<void> {
  let server = await startServer({
    ...env,
    COMPACTION_INTERVAL_MS: '200',
    // Testing only: hold the compaction between writing scores.csv and deleting what it folded.
    COMPACTION_TEST_PAUSE_MS: '60000',
  });
  track(server);
  const first = Array.from({ length: 40 }, (_, n) => n);
  await forEachLimit(first, 10, async (n) => {
    await request(server.url).post('/scores').send(submissionInput(n)).expect(201);
  });
  await until('scores.csv is written', async () => !!(await store.stat(SCORES_CSV_KEY)));
  server.child.kill('SIGKILL');
  await server.exited;

  // Killed after the CSV write and before any delete.
  const partial = await bucketCsvIds(store);
  expect(partial.length).toBeGreaterThan(0);
  expect(await pendingKeys(store)).toHaveLength(40);

  server = await startServer({ ...env, COMPACTION_INTERVAL_MS: '200' });
  track(server);
  const resent = await Promise.all(
    first.map((n) => request(server.url).post('/scores').send(submissionInput(n))),
  );
  expect(resent.map((r) => r.status)).toEqual(first.map(() => 200));
  for (let n = 40; n < 50; n++) {
    await request(server.url).post('/scores').send(submissionInput(n)).expect(201);
  }
  await until('everything is folded', async () => (await pendingKeys(store)).length === 0);

  const expected = Array.from({ length: 50 }, (_, n) => submissionInput(n).submission_id).sort();
  const bucket = await bucketCsvIds(store);
  expect(doubles(bucket)).toEqual([]);
  expect([...bucket].sort()).toEqual(expected);
  const served = await request(server.url).get('/scores.csv').expect(200);
  expect(
    csvRows(served.text)
      .map((r) => r.submission_id as string)
      .sort(),
  ).toEqual(expected);

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

describe('the server process (node server/dist/main.js) on the file backend', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: FileStore;
  let server: ServerProcess | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('fts-process-'));
    store = new FileStore(dir, LOCAL_BUCKET);
    await uploadExampleRun(store);
  });
  afterEach(async () => {
    await killServer(server);
    server = undefined;
    await cleanup();
  });

  it('killed with SIGKILL in the middle of a compaction, then restarted: nothing lost, nothing doubled', async () => {
    await killMidCompaction(store, { STORAGE_URL: `file://${dir}` }, (s) => (server = s));
  });

  it('on SIGTERM refuses new connections, answers the submission in flight, folds it and exits 0', async () => {
    // No background compaction: only the shutdown can fold it.
    server = await startServer({ STORAGE_URL: `file://${dir}`, COMPACTION_INTERVAL_MS: '0' });
    const input = submissionInput(7);
    const body = JSON.stringify(input);
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/scores',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
    });
    // Half the body now: the request is in flight when the signal comes.
    req.write(body.slice(0, 20));
    await sleep(300);
    server.child.kill('SIGTERM');
    await until('the server saw SIGTERM', async () => server!.output().includes('SIGTERM'));
    await expect(
      new Promise((resolve, reject) => {
        const socket = net.connect(server!.port, '127.0.0.1', () => resolve(socket.end()));
        socket.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);

    req.end(body.slice(20));
    const res = await answered;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).submission.submission_id).toBe(input.submission_id);
    expect(await server.exited).toBe(0);
    expect(await bucketCsvIds(store)).toEqual([input.submission_id]);
    expect(await pendingKeys(store)).toEqual([]);
  });
});

describeWithFakeGcs('the server process (node server/dist/main.js) on fake-gcs-server', (gcs) => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await killServer(server);
    server = undefined;
  });

  it('killed with SIGKILL in the middle of a compaction, then restarted: nothing lost, nothing doubled', async () => {
    const store = await gcs().freshStore();
    await uploadExampleRun(store);
    await killMidCompaction(
      store,
      { STORAGE_URL: `gs://${store.bucketName}`, ...gcs().env },
      (s) => (server = s),
    );
  });
});
