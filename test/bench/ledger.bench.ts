// The score ledger under load on the file backend: submissions per second and latency with
// 50 concurrent clients, next to the obvious safe alternative (read-modify-write of one CSV
// with a generation precondition and retry), and with 100 vs 100,000 existing scores.
// Run with `npm run bench` (or `node test/bench/run.js ledger` after a build).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Submission } from '@fts/shared';
import {
  CSV_HEADER,
  FOLDED_PREFIX,
  FileStore,
  LOCAL_BUCKET,
  SCORES_CSV_KEY,
  ScoreLedger,
  forEachLimit,
  submissionsToCsv,
  type ObjectStore,
} from '@fts/shared/node';
import { preconditionAppend } from '../ledger/baselines';

const CLIENTS = 50;
/** How often each instance compacts, as COMPACTION_INTERVAL_MS does in the server. */
const COMPACTION_INTERVAL_MS = 1000;

function submission(n: number): Submission {
  return {
    submission_id: `sub-${String(n).padStart(10, '0')}`,
    submitted_at: new Date(Date.UTC(2026, 10, 15) + n).toISOString(),
    rater_id: `rater${n % 40}`,
    run_id: 'run_20261115_101500',
    item_id: `line3/cam01/clip${String(n % 900).padStart(4, '0')}`,
    video_uri: `gs://buildai-dataset/videos/line3/cam01/clip${String(n % 900).padStart(4, '0')}.mp4`,
    answers: { overall: (n % 5) + 1 },
    comment: n % 4 === 0 ? 'steps in the wrong order, "mostly" fine' : '',
    time_spent_ms: 20_000 + (n % 5000),
  };
}

interface Result {
  label: string;
  existing: number;
  sent: number;
  seconds: number;
  latencies: number[];
  lost: number;
  doubled: number;
}

interface Bucket {
  dir: string;
  store: FileStore;
  /** Scores in the bucket (the next submission's number). */
  existing: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** A bucket holding `existing` scores already folded (and marked folded, as the ledger leaves them). */
async function seeded(existing: number): Promise<Bucket> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fts-bench-'));
  const store = new FileStore(dir, LOCAL_BUCKET);
  const old = Array.from({ length: existing }, (_, i) => submission(i));
  await store.write(SCORES_CSV_KEY, CSV_HEADER + submissionsToCsv(old));
  // Straight onto disk (the layout FileStore uses): seeding is not what is measured.
  const foldedDir = path.join(dir, LOCAL_BUCKET, ...FOLDED_PREFIX.split('/').filter(Boolean));
  await fs.mkdir(foldedDir, { recursive: true });
  await forEachLimit(old, 64, (s) =>
    fs.writeFile(path.join(foldedDir, `${s.submission_id}.json`), JSON.stringify(s)),
  );
  return { dir, store, existing };
}

const discard = (b: Bucket) => fs.rm(b.dir, { recursive: true, force: true });

/** `sent` submissions from CLIENTS concurrent clients, each timed. */
async function load(first: number, sent: number, send: (s: Submission) => Promise<unknown>) {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  await forEachLimit(
    Array.from({ length: sent }, (_, i) => first + i),
    CLIENTS,
    async (n) => {
      const t = process.hrtime.bigint();
      await send(submission(n));
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    },
  );
  return { latencies, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function csvIds(store: ObjectStore): Promise<string[]> {
  const rows = parse(await store.read(SCORES_CSV_KEY), { columns: true }) as { submission_id: string }[];
  return rows.map((r) => r.submission_id);
}

function count(ids: string[], first: number, sent: number): { lost: number; doubled: number } {
  const unique = new Set(ids);
  let lost = 0;
  for (let n = first; n < first + sent; n++) if (!unique.has(submission(n).submission_id)) lost++;
  return { lost, doubled: ids.length - unique.size };
}

/** The ledger: two fresh instances sharing the bucket, each compacting in the background. */
async function ledgerRun(bucket: Bucket, sent: number): Promise<Result> {
  const first = bucket.existing;
  const instances = [0, 1].map(() => new ScoreLedger(new FileStore(bucket.dir, LOCAL_BUCKET)));
  // A running instance has read scores.csv once already.
  await Promise.all(instances.map((l) => l.all()));
  let stop = false;
  const compactors = instances.map(async (l) => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, COMPACTION_INTERVAL_MS));
      if (!stop) await l.compact();
    }
  });
  let i = 0;
  const { latencies, seconds } = await load(first, sent, (s) => instances[i++ % 2]!.record(s));
  stop = true;
  await Promise.all(compactors);
  for (;;) {
    const r = await instances[0]!.compact({ waitForWindow: true });
    if (r.folded === 0 && r.dropped === 0) break;
  }
  bucket.existing += sent;
  return {
    label: 'ledger',
    existing: first,
    sent,
    seconds,
    latencies,
    ...count(await csvIds(bucket.store), first, sent),
  };
}

/** The baseline: every submission rewrites scores.csv under a generation precondition. */
async function baselineRun(bucket: Bucket, sent: number): Promise<Result> {
  const first = bucket.existing;
  const { latencies, seconds } = await load(first, sent, (s) => preconditionAppend(bucket.store, s));
  bucket.existing += sent;
  return {
    label: 'read-modify-write + precondition',
    existing: first,
    sent,
    seconds,
    latencies,
    ...count(await csvIds(bucket.store), first, sent),
  };
}

const rate = (r: Result) => r.sent / r.seconds;
const p50 = (r: Result) =>
  percentile(
    [...r.latencies].sort((a, b) => a - b),
    50,
  );
const p99 = (r: Result) =>
  percentile(
    [...r.latencies].sort((a, b) => a - b),
    99,
  );
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function columns(
  label: string,
  existing: string,
  sent: string,
  rateS: string,
  p50S: string,
  p99S: string,
  extra = '',
) {
  return `${label.padEnd(34)} ${existing.padStart(8)} ${sent.padStart(6)} ${rateS.padStart(8)} ${p50S.padStart(8)} ${p99S.padStart(8)} ${extra}`;
}

function row(r: Result): string {
  return columns(
    r.label,
    String(r.existing),
    String(r.sent),
    rate(r).toFixed(0),
    p50(r).toFixed(1),
    p99(r).toFixed(1),
    `${String(r.lost).padStart(5)} ${String(r.doubled).padStart(7)}`,
  );
}

const ROUNDS = 3;
const SENT = 1500;
const BASELINE_SENT = 100;

async function main(): Promise<void> {
  console.log(
    `file backend, ${CLIENTS} concurrent clients, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`,
  );
  console.log('scenarios run interleaved, ' + ROUNDS + ' rounds; the summary takes the median round');
  console.log(columns('writer', 'existing', 'sent', 'subm/s', 'p50 ms', 'p99 ms', ' lost doubled'));
  const scenarios: {
    name: string;
    bucket: Bucket;
    run: (b: Bucket) => Promise<Result>;
    results: Result[];
  }[] = [
    { name: 'ledger, 100 existing', bucket: await seeded(100), run: (b) => ledgerRun(b, SENT), results: [] },
    {
      name: 'ledger, 10,000 existing',
      bucket: await seeded(10_000),
      run: (b) => ledgerRun(b, SENT),
      results: [],
    },
    {
      name: 'ledger, 100,000 existing',
      bucket: await seeded(100_000),
      run: (b) => ledgerRun(b, SENT),
      results: [],
    },
    {
      name: 'baseline, 10,000 existing',
      bucket: await seeded(10_000),
      run: (b) => baselineRun(b, BASELINE_SENT),
      results: [],
    },
  ];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const sc of scenarios) {
        // The small bucket starts from 100 every round.
        if (sc.bucket.existing < 10_000 && round > 0) {
          await discard(sc.bucket);
          sc.bucket = await seeded(100);
        }
        const r = await sc.run(sc.bucket);
        sc.results.push(r);
        console.log(row(r));
      }
    }
  } finally {
    await Promise.all(scenarios.map((sc) => discard(sc.bucket)));
  }

  console.log('\nmedian of ' + ROUNDS + ' rounds');
  console.log(columns('scenario', '', '', 'subm/s', 'p50 ms', 'p99 ms'));
  const med = scenarios.map((sc) => ({
    name: sc.name,
    rate: median(sc.results.map(rate)),
    p50: median(sc.results.map(p50)),
    p99: median(sc.results.map(p99)),
  }));
  for (const m of med)
    console.log(columns(m.name, '', '', m.rate.toFixed(0), m.p50.toFixed(1), m.p99.toFixed(1)));
  const [small, mid, large, base] = med as [
    (typeof med)[0],
    (typeof med)[0],
    (typeof med)[0],
    (typeof med)[0],
  ];
  const ledgerResults = scenarios.slice(0, 3).flatMap((sc) => sc.results);
  const lost = ledgerResults.reduce((n, r) => n + r.lost, 0);
  const doubled = ledgerResults.reduce((n, r) => n + r.doubled, 0);
  console.log('');
  console.log(
    `ledger lost / doubled:                 ${lost} / ${doubled} of ${ledgerResults.length * SENT} (target 0)`,
  );
  console.log(
    `throughput at 10,000 existing:         ${(mid.rate / base.rate).toFixed(1)}x the baseline (target >= 20x)`,
  );
  console.log(
    `p50 latency, 100,000 vs 100 existing:  ${(large.p50 / small.p50).toFixed(2)}x (target <= 1.5x)`,
  );
  console.log(`p99 latency, 100,000 vs 100 existing:  ${(large.p99 / small.p99).toFixed(2)}x`);
  if (lost + doubled > 0) process.exitCode = 1;
}

void main();
