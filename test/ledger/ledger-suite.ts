import type * as http from 'node:http';
import request from 'supertest';
import {
  FOLDED_PREFIX,
  SCORES_CSV_KEY,
  ScoreLedger,
  forEachLimit,
  submissionsToCsv,
  CSV_HEADER,
} from '@fts/shared/node';
import { startCompactor } from '../../server/src/lifecycle';
import { naiveAppend } from './baselines';
import {
  bucketCsvIds,
  compactAll,
  csvRows,
  doubles,
  listen,
  pendingKeys,
  recording,
  submission,
  submissionInput,
  uploadExampleRun,
  type MakeStore,
  type StoreCall,
  type StoreFixture,
} from './fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * 50 concurrent clients send 550 submissions, each to one instance or the other: numbers 0 to
 * 499, then 50 of them again (0, 10, …, 490; each resend to the other instance half the
 * time). Resolves with every status code.
 */
async function submitLoad(instances: { server: http.Server }[]): Promise<number[]> {
  const sends = [
    ...Array.from({ length: 500 }, (_, n) => n),
    ...Array.from({ length: 50 }, (_, k) => k * 10),
  ];
  const statuses: number[] = [];
  await forEachLimit(sends, 50, async (n, i) => {
    const target = instances[(n + i) % instances.length]!;
    const res = await request(target.server).post('/scores').send(submissionInput(n));
    statuses.push(res.status);
  });
  return statuses;
}

/**
 * The score ledger's promises (DESIGN.md, "Scores"), checked against one storage backend.
 * Each backend's test file calls this once with a factory for fresh buckets, e.g.
 * `describeLedger('the file backend', makeFileStore)`; `open()` must return a new client of
 * the same bucket each time, since instances share nothing but the bucket.
 */
export function describeLedger(name: string, makeStore: MakeStore): void {
  describe(`score ledger on ${name}`, () => {
    let fx: StoreFixture;
    beforeEach(async () => {
      fx = await makeStore();
    });
    afterEach(() => fx.cleanup());

    it('records an id once: a resend while pending and after compaction returns the stored submission', async () => {
      const ledger = new ScoreLedger(fx.open());
      const first = submission(1, new Date('2026-11-15T12:00:00.000Z'));
      const resend = { ...first, submitted_at: '2026-11-15T12:05:00.000Z' };
      expect(await ledger.record(first)).toEqual({ submission: first, created: true });
      expect(await ledger.record(resend)).toEqual({ submission: first, created: false });

      expect(await ledger.compact()).toMatchObject({ folded: 1, dropped: 0, wrote: true });
      expect(await pendingKeys(fx.open())).toEqual([]);
      // The pending object is gone; another instance, which never read scores.csv, still knows.
      const other = new ScoreLedger(fx.open());
      expect(await other.record(resend)).toEqual({ submission: first, created: false });
      expect(await pendingKeys(fx.open())).toEqual([]);
      expect(await other.all()).toEqual([first]);
      await sleep(1000);
      await other.compact();
      expect(await bucketCsvIds(fx.open())).toEqual([first.submission_id]);
    });

    it('records without reading scores.csv, and catches up by reading only what was appended', async () => {
      const store = fx.open();
      const existing = Array.from({ length: 300 }, (_, i) => submission(i));
      await store.write(SCORES_CSV_KEY, CSV_HEADER + submissionsToCsv(existing));
      const calls: StoreCall[] = [];
      const ledger = new ScoreLedger(recording(fx.open(), calls));
      await ledger.record(submission(1000));
      expect(calls.filter((c) => c.key === SCORES_CSV_KEY)).toEqual([]);
      expect(calls.map((c) => c.op)).toEqual(['write', 'read']);

      expect(await ledger.all()).toHaveLength(301);
      expect(calls.filter((c) => c.op === 'read' && c.key === SCORES_CSV_KEY)).toHaveLength(1);
      // Another instance folds both; this one then reads just the new end of the file.
      const writer = new ScoreLedger(fx.open());
      await writer.record(submission(1001));
      await writer.compact({ waitForWindow: true });
      calls.length = 0;
      const all = await ledger.all();
      expect(all.map((s) => s.submission_id)).toEqual(
        [...existing, submission(1000), submission(1001)].map((s) => s.submission_id),
      );
      expect(calls.filter((c) => c.op === 'read' && c.key === SCORES_CSV_KEY)).toEqual([
        { op: 'read', key: SCORES_CSV_KEY, ranged: true },
      ]);
      // Its next compaction appends to what it read, keeping the other instance's rows.
      await ledger.record(submission(1002));
      await sleep(1000);
      expect(await ledger.compact()).toMatchObject({ folded: 1, wrote: true });
      const ids = await bucketCsvIds(store);
      expect(ids).toHaveLength(303);
      expect(doubles(ids)).toEqual([]);
    });

    it('reads scores.csv again in full when it was edited rather than appended to', async () => {
      const store = fx.open();
      const ledger = new ScoreLedger(fx.open());
      const subs = Array.from({ length: 5 }, (_, i) => submission(i));
      await store.write(SCORES_CSV_KEY, CSV_HEADER + submissionsToCsv(subs));
      expect(await ledger.all()).toHaveLength(5);
      // Last row removed (smaller), then last row replaced and more added (larger).
      await store.write(SCORES_CSV_KEY, CSV_HEADER + submissionsToCsv(subs.slice(0, 4)));
      expect((await ledger.all()).map((s) => s.submission_id)).toEqual(
        subs.slice(0, 4).map((s) => s.submission_id),
      );
      const edited = [...subs.slice(0, 3), submission(7), submission(8), submission(9)];
      await store.write(SCORES_CSV_KEY, CSV_HEADER + submissionsToCsv(edited));
      expect((await ledger.all()).map((s) => s.submission_id)).toEqual(edited.map((s) => s.submission_id));
    });

    it('rewrites scores.csv at most once per interval across instances, and one of two racing compactions wins', async () => {
      // A clock the test moves, compared with the store's time of the last write.
      let now = 0;
      const a = new ScoreLedger(fx.open(), { now: () => now });
      const b = new ScoreLedger(fx.open(), { now: () => now });
      await a.record(submission(1));
      expect(await a.compact()).toMatchObject({ folded: 1, wrote: true });
      const written = await fx.open().stat(SCORES_CSV_KEY);
      now = Date.parse(written!.updated) + 400;
      await b.record(submission(2));
      expect(await b.compact()).toEqual({ folded: 0, dropped: 0, wrote: false, retryInMs: 600 });
      expect((await fx.open().stat(SCORES_CSV_KEY))?.generation).toBe(written?.generation);

      now += 600;
      const c = new ScoreLedger(fx.open(), { now: () => now });
      const results = await Promise.all([a.compact(), b.compact(), c.compact()]);
      expect(results.filter((r) => r.wrote)).toHaveLength(1);
      expect(results.reduce((n, r) => n + r.folded, 0)).toBe(1);
      expect(await bucketCsvIds(fx.open())).toEqual(['sub-00000001', 'sub-00000002']);
    });

    it('finishes a compaction that died after writing scores.csv, folding nothing twice', async () => {
      const dying = new ScoreLedger(fx.open(), {
        afterCsvWrite: () => Promise.reject(new Error('instance stopped')),
      });
      const subs = Array.from({ length: 20 }, (_, i) => submission(i));
      for (const s of subs) await dying.record(s);
      await expect(dying.compact()).rejects.toThrow('instance stopped');
      expect(await bucketCsvIds(fx.open())).toHaveLength(20);
      expect(await pendingKeys(fx.open())).toHaveLength(20);

      const next = new ScoreLedger(fx.open());
      expect((await next.all()).map((s) => s.submission_id)).toEqual(subs.map((s) => s.submission_id));
      // Resends in the gap: still pending, so still the stored submission.
      expect(await next.record({ ...subs[3]!, submitted_at: '2027-01-01T00:00:00.000Z' })).toEqual({
        submission: subs[3],
        created: false,
      });
      expect(await next.compact({ waitForWindow: true })).toEqual({ folded: 0, dropped: 20, wrote: false });
      expect(await pendingKeys(fx.open())).toEqual([]);
      const ids = await bucketCsvIds(fx.open());
      expect(ids).toHaveLength(20);
      expect(doubles(ids)).toEqual([]);
      // Each is marked folded, so resends after this are known too.
      expect(await next.record(subs[5]!)).toEqual({ submission: subs[5], created: false });
      const folded = await fx.open().list({ prefix: FOLDED_PREFIX });
      expect(folded.objects).toHaveLength(20);
    });

    it('two instances, 50 clients, 500 submissions (50 sent twice): each once in GET /scores.csv and the bucket; the naive read-modify-write loses some', async () => {
      const setup = fx.open();
      await uploadExampleRun(setup);
      const instances = [await listen(fx.open()), await listen(fx.open())];
      const errors: unknown[] = [];
      const compactors = instances.map((i) =>
        startCompactor(i.app.context.ledger, 150, (e) => errors.push(e)),
      );
      try {
        const statuses = await submitLoad(instances);
        expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
        expect(statuses.filter((s) => s === 201)).toHaveLength(500);
        // Both instances were compacting while the submissions came in.
        expect((await bucketCsvIds(setup)).length).toBeGreaterThan(0);

        for (const instance of instances) {
          const res = await request(instance.server).get('/scores.csv').expect(200);
          const ids = csvRows(res.text).map((r) => r.submission_id as string);
          expect(ids).toHaveLength(500);
          expect(new Set(ids).size).toBe(500);
        }
        await Promise.all(compactors.map((c) => c.stop()));
        await compactAll(instances[0]!.app.context.ledger);
        const folded = await bucketCsvIds(setup);
        expect(folded).toHaveLength(500);
        expect(new Set(folded).size).toBe(500);
        expect(await pendingKeys(setup)).toEqual([]);

        // The same 50 again, now that their pending objects are gone: still one row each.
        await forEachLimit(
          Array.from({ length: 50 }, (_, k) => k * 10 + 1),
          50,
          async (n) => {
            await request(instances[n % 2]!.server)
              .post('/scores')
              .send(submissionInput(n))
              .expect(200);
          },
        );
        const again = await request(instances[1]!.server).get('/scores.csv').expect(200);
        expect(csvRows(again.text)).toHaveLength(500);
        await compactAll(instances[1]!.app.context.ledger);
        expect(await bucketCsvIds(setup)).toEqual(folded);
        expect(errors).toEqual([]);
      } finally {
        await Promise.all(compactors.map((c) => c.stop()));
        await Promise.all(instances.map((i) => i.close()));
      }

      // Baseline, the same load on a fresh bucket, each instance recording the single-user
      // script's way: read scores.csv, append, write it back.
      const baseline = await makeStore();
      const naive = [await listen(baseline.open()), await listen(baseline.open())];
      try {
        await uploadExampleRun(baseline.open());
        for (const { app } of naive) {
          const store = app.context.store;
          app.context.ledger.record = async (s) => {
            await naiveAppend(store, s);
            return { submission: s, created: true };
          };
        }
        const statuses = await submitLoad(naive);
        expect(statuses.filter((s) => s !== 201)).toEqual([]);
        const kept = new Set(await bucketCsvIds(baseline.open())).size;
        console.log(`naive read-modify-write on ${name}: ${500 - kept} of 500 submissions lost`);
        expect(kept).toBeLessThan(500);
      } finally {
        await Promise.all(naive.map((i) => i.close()));
        await baseline.cleanup();
      }
    });
  });
}
