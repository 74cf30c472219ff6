import request from 'supertest';
import { seededRandom, Unavailable } from '@fts/shared';
import { forEachLimit } from '@fts/shared/node';
import { GcsStore } from '../../shared/src/node/storage/gcs-store';
import { startCompactor } from '../../server/src/lifecycle';
import { describeWithFakeGcs } from '../helpers/fake-gcs';
import { startFaultyProxy, type Fault, type FaultyProxy } from '../helpers/faulty-proxy';
import {
  bucketCsvIds,
  compactAll,
  csvRows,
  doubles,
  listen,
  pendingKeys,
  submissionInput,
  uploadExampleRun,
} from './fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the proxy does to about one request in ten: refuse it, or drop the connection. */
const FAULTS: Fault[] = [{ status: 503 }, { status: 429 }, 'reset', 'lose-response', 'truncate'];

/** The create-only upload of submission `n`'s pending object. */
const pendingUpload = (n: number) => (r: { method: string; url: string }) =>
  r.method === 'POST' &&
  r.url.startsWith('/upload/') &&
  r.url.includes(`name=scores%2Fpending%2F${submissionInput(n).submission_id}.json`);

type Instance = Awaited<ReturnType<typeof listen>>;

describeWithFakeGcs('the ledger on fake-gcs-server behind a proxy that fails 10% of requests', (gcs) => {
  let proxy: FaultyProxy;
  beforeAll(async () => {
    proxy = await startFaultyProxy(gcs().url);
  });
  afterAll(() => proxy.stop());

  it('two instances, 50 clients, 500 submissions (50 sent twice): each once; 503s are clear and a resend doubles nothing', async () => {
    const bucket = await gcs().createBucket();
    const direct = gcs().store(bucket);
    await uploadExampleRun(direct);
    // Few, quick tries, so that some failures get past the store's retries to the clients.
    const open = () =>
      new GcsStore({
        bucket,
        apiEndpoint: proxy.url,
        retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 100 },
        requestTimeoutMs: 2000,
        stallTimeoutMs: 2000,
      });
    const instances: Instance[] = [await listen(open()), await listen(open())];
    const errors: unknown[] = [];
    const compactors = instances.map((i) => startCompactor(i.app.context.ledger, 150, (e) => errors.push(e)));
    /** Every status each submission id got, in order. */
    const statuses = new Map<string, number[]>();
    const unavailable: unknown[] = [];

    /** A rater's browser: send, and on a 503 send the same submission again (to either instance). */
    async function submit(n: number, first: number): Promise<number> {
      const body = submissionInput(n);
      for (let attempt = 0; attempt < 20; attempt++) {
        const target = instances[(first + attempt) % instances.length]!;
        const res = await request(target.server).post('/scores').send(body);
        statuses.set(body.submission_id, [...(statuses.get(body.submission_id) ?? []), res.status]);
        if (res.status !== 503) return res.status;
        unavailable.push(res.body);
        await sleep(20 + Math.random() * 50);
      }
      throw new Error(`${body.submission_id}: still 503 after 20 sends`);
    }
    /** GET with the same patience. */
    async function get(instance: Instance, path: string): Promise<request.Response> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await request(instance.server).get(path);
        if (res.status !== 503) return res;
        unavailable.push(res.body);
        await sleep(50);
      }
      throw new Error(`GET ${path}: still 503 after 20 tries`);
    }

    try {
      // First, one at a time and with no other faults: submission 13's create-only write is
      // applied but its answer lost; the store's retry gets 412, finds its own bytes, and the
      // client gets 201.
      const uploads13 = `name=scores%2Fpending%2F${submissionInput(13).submission_id}`;
      proxy.inject(pendingUpload(13), 'lose-response');
      expect(await submit(13, 0)).toBe(201);
      expect(proxy.seen.filter((s) => s.url.includes(uploads13)).map((s) => [s.fault, s.status])).toEqual([
        ['lose-response', 200],
        [undefined, 412],
      ]);
      // Submission 7's is applied and its answer lost, and both retries get 503: the store gives
      // up, the client gets a 503 and sends the same submission again, which GCS answers with
      // 412: the ledger takes it as already recorded.
      proxy.inject(pendingUpload(7), 'lose-response', { status: 503 }, { status: 503 });
      expect(await submit(7, 0)).toBe(200);
      expect(statuses.get(submissionInput(7).submission_id)).toEqual([503, 200]);
      expect(unavailable).toEqual([
        {
          error: 'unavailable',
          message: expect.stringContaining('scores/pending/sub-00000007.json'),
          requestId: expect.any(String),
        },
      ]);

      // Then the load, with about one request in ten to GCS failed at random.
      const seed = Date.now() % 100_000;
      console.log(`faulty proxy seed ${seed}`);
      proxy.chaos(0.1, FAULTS, seededRandom(seed));
      const sends = [
        ...Array.from({ length: 500 }, (_, n) => n),
        ...Array.from({ length: 50 }, (_, k) => k * 10),
      ];
      const final: number[] = [];
      await forEachLimit(sends, 50, async (n, i) => {
        final.push(await submit(n, n + i));
      });
      expect(final.filter((s) => s !== 200 && s !== 201)).toEqual([]);
      const all = [...statuses.values()].flat();
      expect(all.filter((s) => s !== 200 && s !== 201 && s !== 503)).toEqual([]);
      // Created once at most: a resend after a lost answer is 200, never a second 201.
      expect([...statuses].filter(([, s]) => s.filter((x) => x === 201).length > 1)).toEqual([]);
      // What a client sees when the bucket fails: a 503 it can act on, never a 500.
      for (const body of unavailable) {
        expect(body).toEqual({
          error: 'unavailable',
          message: expect.any(String),
          requestId: expect.any(String),
        });
      }

      for (const instance of instances) {
        const res = await get(instance, '/scores.csv');
        expect(res.status).toBe(200);
        const ids = csvRows(res.text).map((r) => r.submission_id as string);
        expect(ids).toHaveLength(500);
        expect(new Set(ids).size).toBe(500);
      }
      await Promise.all(compactors.map((c) => c.stop()));
      await compactAll(instances[0]!.app.context.ledger, true);
      const folded = await bucketCsvIds(direct);
      expect(folded).toHaveLength(500);
      expect(doubles(folded)).toEqual([]);
      expect(await pendingKeys(direct)).toEqual([]);

      // The same 50 again, now that their pending objects are gone: still one row each.
      await forEachLimit(
        Array.from({ length: 50 }, (_, k) => k * 10 + 1),
        50,
        async (n) => expect(await submit(n, n)).toBe(200),
      );
      await compactAll(instances[1]!.app.context.ledger, true);
      expect(await bucketCsvIds(direct)).toEqual(folded);
      expect(errors.filter((e) => !(e instanceof Unavailable))).toEqual([]);

      const faults = proxy.seen.filter((s) => s.fault);
      console.log(
        `${proxy.seen.length} requests to GCS, ${faults.length} failed by the proxy; ` +
          `${unavailable.length} 503s reached clients; ${errors.length} compactions failed`,
      );
      // The load really met the faults it was meant to.
      expect(faults.length / proxy.seen.length).toBeGreaterThan(0.05);
    } finally {
      proxy.reset();
      await Promise.all(compactors.map((c) => c.stop()));
      await Promise.all(instances.map((i) => i.close()));
    }
  });
});
