import { parse } from 'csv-parse/sync';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Unavailable, type Submission } from '@fts/shared';
import { PENDING_PREFIX, SCORES_CSV_KEY, listAll, publishRun, scanRunFolder } from '@fts/shared/node';
import type { ObjectStore, ScoreLedger } from '@fts/shared/node';
import { createApp } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { uploadFromScan } from '../../server/src/demo';
import { EXAMPLES } from '../helpers/tmp';

/**
 * A bucket for one test. `open()` returns a new client of that same bucket each time, as a
 * separate server instance would have; `cleanup()` removes the bucket.
 */
export interface StoreFixture {
  open(): ObjectStore;
  cleanup(): Promise<void>;
}
export type MakeStore = () => Promise<StoreFixture>;

export const RUN = 'run_20261115_101500';
export const ITEMS = ['line3_cam01_clip0047', 'line3_cam02_clip0112', 'packing_cam04_clip0008'];

/** Upload one example run, as `score-cli upload` would. */
export async function uploadExampleRun(store: ObjectStore, runId = RUN): Promise<void> {
  const scan = await scanRunFolder(path.join(EXAMPLES, 'runs', runId));
  await publishRun(store, uploadFromScan(runId, scan, 'test'));
}

/** The body a rater's browser would send for submission number `n`. */
export function submissionInput(n: number) {
  return {
    submission_id: `sub-${String(n).padStart(8, '0')}`,
    rater_id: `rater${n % 7}`,
    run_id: RUN,
    item_id: ITEMS[n % ITEMS.length] as string,
    answers: { overall: (n % 5) + 1 },
    comment: n % 3 === 0 ? `=note ${n}, "quoted"\nline two` : `ok ${n}`,
    time_spent_ms: 1000 + n,
  };
}

/** A stored submission, as the server would make it, for ledger-level tests. */
export function submission(n: number, at = new Date(Date.UTC(2026, 10, 15, 12, 0, 0, n))): Submission {
  const input = submissionInput(n);
  return {
    ...input,
    submitted_at: at.toISOString(),
    video_uri: `gs://local/videos/${input.item_id}.mp4`,
  };
}

/** Rows of a scores.csv text, through a real CSV parser. */
export function csvRows(text: string | Buffer): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** The submission ids in the bucket's scores.csv, one per row (so doubles show). */
export async function bucketCsvIds(store: ObjectStore): Promise<string[]> {
  if (!(await store.stat(SCORES_CSV_KEY))) return [];
  return csvRows(await store.read(SCORES_CSV_KEY)).map((r) => r.submission_id as string);
}

export async function pendingKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of listAll(store, { prefix: PENDING_PREFIX })) keys.push(o.key);
  return keys;
}

/** Ids that occur more than once. */
export function doubles(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => seen.has(id) || !seen.add(id));
}

/** One call a store received. */
export interface StoreCall {
  op: 'read' | 'stat' | 'write' | 'delete' | 'list';
  key: string;
  ranged?: boolean;
}

/** `store`, recording every call into `calls`. */
export function recording(store: ObjectStore, calls: StoreCall[]): ObjectStore {
  return {
    url: store.url,
    bucketName: store.bucketName,
    read: (key, range) => (calls.push({ op: 'read', key, ranged: !!range }), store.read(key, range)),
    readStream: (key, range) => store.readStream(key, range),
    stat: (key) => (calls.push({ op: 'stat', key }), store.stat(key)),
    write: (key, data, options) => (calls.push({ op: 'write', key }), store.write(key, data, options)),
    delete: (key) => (calls.push({ op: 'delete', key }), store.delete(key)),
    list: (options) => (calls.push({ op: 'list', key: options?.prefix ?? '' }), store.list(options)),
    bucket: (name) => store.bucket(name),
  };
}

/**
 * Compact until nothing is pending, waiting out the rewrite interval between rounds. With
 * `tolerateUnavailable`, a round the bucket failed (503) is tried again, as the server's
 * background compaction would.
 */
export async function compactAll(ledger: ScoreLedger, tolerateUnavailable = false): Promise<void> {
  for (let round = 0; round < 20; round++) {
    try {
      const r = await ledger.compact({ waitForWindow: true });
      if (r.folded === 0 && r.dropped === 0) return;
    } catch (e) {
      if (!tolerateUnavailable || !(e instanceof Unavailable)) throw e;
    }
  }
  throw new Error('still pending after 20 compactions');
}

/** A server instance: the app listening on a free port of 127.0.0.1. */
export async function listen(store: ObjectStore) {
  // The load comes from one address; the write rate limit is for the open internet, not this test.
  const app = createApp({
    config: loadConfig({ LOAD_DEMO: 'never', RATE_LIMIT_WRITES: '0', LOG_REQUESTS: 'false' }),
    store,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { app, server, close, port: (server.address() as AddressInfo).port };
}
