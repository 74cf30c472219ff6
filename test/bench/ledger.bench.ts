// The score ledger under load, on the file backend and on the GCS backend (fake-gcs-server,
// started here): submissions per second and latency with 50 concurrent clients, next to the
// obvious safe alternative (read-modify-write of one CSV with a generation precondition and
// retry), and with 100 vs 100,000 existing scores.
// Run with `npm run bench` (or `node test/bench/run.js ledger` after a build);
// BENCH_LEDGER_BACKENDS=file or =gcs runs one backend only.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
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
  openStore,
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

/** A bucket for one scenario, on one backend. */
interface Bucket {
  /** A client for setting up and checking. */
  store: ObjectStore;
  /** A new client of the same bucket, as another server instance would have. */
  open(): ObjectStore;
  /** Scores in the bucket (the next submission's number). */
  existing: number;
  discard(): Promise<void>;
}

/** Where the scenarios run. */
interface Backend {
  name: string;
  /** A fresh bucket holding `existing` scores already folded. */
  seeded(existing: number): Promise<Bucket>;
  stop(): Promise<void>;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** The file backend: a temporary folder per bucket. */
const fileBackend: Backend = {
  name: 'file backend',
  /** Seeded as the ledger leaves a bucket: scores.csv, and each score marked folded. */
  async seeded(existing) {
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
    return {
      store,
      open: () => new FileStore(dir, LOCAL_BUCKET),
      existing,
      discard: () => fs.rm(dir, { recursive: true, force: true }),
    };
  },
  stop: async () => undefined,
};

/** fake-gcs-server's binary: FAKE_GCS_SERVER, on PATH, or in ~/go/bin. */
function findFakeGcs(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), path.join(os.homedir(), 'go', 'bin')];
  const candidates = [
    ...(process.env.FAKE_GCS_SERVER ? [process.env.FAKE_GCS_SERVER] : []),
    ...dirs.filter(Boolean).map((d) => path.join(d, 'fake-gcs-server')),
  ];
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The GCS backend on fake-gcs-server (in memory, on this machine), a bucket per scenario,
 * every instance its own client. Only scores.csv is seeded: the emulator lists a prefix by
 * walking every object of the bucket, which real GCS does not, so 100,000 folded markers
 * would measure the emulator, not the ledger (and take minutes to upload).
 */
async function gcsBackend(binary: string): Promise<Backend> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-backend',
      'memory',
      '-log-level',
      'error',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/storage/v1/b`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`fake-gcs-server did not start on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = { STORAGE_EMULATOR_HOST: url };
  let buckets = 0;
  return {
    name: 'GCS backend on fake-gcs-server',
    async seeded(existing) {
      const name = `bench-${process.pid}-${buckets++}`;
      const res = await fetch(`${url}/storage/v1/b?project=bench`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (!res.ok) throw new Error(`creating bucket ${name}: ${res.status}`);
      const open = () => openStore(`gs://${name}`, process.cwd(), env);
      const store = await open();
      const old = Array.from({ length: existing }, (_, i) => submission(i));
      await store.write(SCORES_CSV_KEY, CSV_HEADER + submissionsToCsv(old));
      const clients = await Promise.all([0, 1].map(() => open()));
      let next = 0;
      return {
        store,
        // Two instances per run, each with a client made here (openStore is async).
        open: () => clients[next++ % clients.length]!,
        existing,
        discard: async () => {
          await fetch(`${url}/storage/v1/b/${name}?force=true`, { method: 'DELETE' }).catch(() => undefined);
        },
      };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.pid === undefined) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid, 'SIGTERM');
      }),
  };
}

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
  const instances = [0, 1].map(() => new ScoreLedger(bucket.open()));
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

/** What one backend's section runs. */
interface Plan {
  rounds: number;
  /** Submissions per ledger run. */
  sent: number;
  /** Submissions per baseline run (it is slow). */
  baselineSent: number;
  /** Existing scores for the ledger's runs; the first is re-seeded every round. */
  sizes: number[];
  /** Existing scores for the baseline, also one of `sizes` (the throughput comparison). */
  baselineSize: number;
  /** Every scenario gets a freshly seeded bucket every round (else only the smallest does). */
  fresh: boolean;
  /** Said under the section's heading. */
  note?: string;
}

const FILE_PLAN: Plan = {
  rounds: 3,
  sent: 1500,
  baselineSent: 100,
  sizes: [100, 10_000, 100_000],
  baselineSize: 10_000,
  fresh: false,
};
const GCS_PLAN: Plan = {
  rounds: 3,
  sent: 1000,
  baselineSent: 50,
  sizes: [100, 1_000, 100_000],
  baselineSize: 1_000,
  fresh: true,
  note:
    'fake-gcs-server runs on the same CPUs and finds an object by scanning a list of every object in its ' +
    'bucket,\nso each scenario gets a fresh bucket every round (only scores.csv seeded, no folded markers); ' +
    'the baseline\nis compared at 1,000 existing scores because at 10,000 it manages about 1 submission/s.',
};

const thousands = (n: number) => n.toLocaleString('en-US');

/** Every scenario of `plan` on `backend`, interleaved round by round; false if any score was lost or doubled. */
async function section(backend: Backend, plan: Plan): Promise<boolean> {
  console.log(
    `\n${backend.name}: ${CLIENTS} concurrent clients, 2 instances compacting every ${COMPACTION_INTERVAL_MS} ms, ` +
      `${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`,
  );
  if (plan.note) console.log(plan.note);
  console.log(`scenarios run interleaved, ${plan.rounds} rounds; the summary takes the median round`);
  console.log(columns('writer', 'existing', 'sent', 'subm/s', 'p50 ms', 'p99 ms', ' lost doubled'));
  const scenarios: {
    name: string;
    size: number;
    bucket: Bucket;
    run: (b: Bucket) => Promise<Result>;
    results: Result[];
  }[] = [];
  for (const size of plan.sizes) {
    scenarios.push({
      name: `ledger, ${thousands(size)} existing`,
      size,
      bucket: await backend.seeded(size),
      run: (b) => ledgerRun(b, plan.sent),
      results: [],
    });
  }
  scenarios.push({
    name: `baseline, ${thousands(plan.baselineSize)} existing`,
    size: plan.baselineSize,
    bucket: await backend.seeded(plan.baselineSize),
    run: (b) => baselineRun(b, plan.baselineSent),
    results: [],
  });
  try {
    for (let round = 0; round < plan.rounds; round++) {
      for (const sc of scenarios) {
        // The smallest bucket starts from scratch every round, so it stays small.
        if (round > 0 && (plan.fresh || sc === scenarios[0])) {
          await sc.bucket.discard();
          sc.bucket = await backend.seeded(sc.size);
        }
        const r = await sc.run(sc.bucket);
        sc.results.push(r);
        console.log(row(r));
      }
    }
  } finally {
    await Promise.all(scenarios.map((sc) => sc.bucket.discard()));
  }

  console.log(`\n${backend.name}, median of ${plan.rounds} rounds`);
  console.log(columns('scenario', '', '', 'subm/s', 'p50 ms', 'p99 ms'));
  const med = scenarios.map((sc) => ({
    name: sc.name,
    size: sc.size,
    rate: median(sc.results.map(rate)),
    p50: median(sc.results.map(p50)),
    p99: median(sc.results.map(p99)),
  }));
  for (const m of med)
    console.log(columns(m.name, '', '', m.rate.toFixed(0), m.p50.toFixed(1), m.p99.toFixed(1)));
  const ledgers = med.slice(0, plan.sizes.length);
  const small = ledgers[0]!;
  const large = ledgers[ledgers.length - 1]!;
  const base = med[med.length - 1]!;
  const same = ledgers.find((m) => m.size === plan.baselineSize)!;
  const ledgerResults = scenarios.slice(0, plan.sizes.length).flatMap((sc) => sc.results);
  const lost = ledgerResults.reduce((n, r) => n + r.lost, 0);
  const doubled = ledgerResults.reduce((n, r) => n + r.doubled, 0);
  const label = (text: string) =>
    `${backend.name === fileBackend.name ? 'file' : 'GCS '}  ${text}`.padEnd(48);
  console.log('');
  console.log(
    `${label('ledger lost / doubled:')}${lost} / ${doubled} of ${ledgerResults.length * plan.sent} (target 0)`,
  );
  console.log(
    `${label(`throughput at ${thousands(plan.baselineSize)} existing:`)}${(same.rate / base.rate).toFixed(1)}x the baseline (target >= 20x)`,
  );
  const sizes = `${thousands(large.size)} vs ${thousands(small.size)} existing`;
  console.log(`${label(`p50 latency, ${sizes}:`)}${(large.p50 / small.p50).toFixed(2)}x (target <= 1.5x)`);
  console.log(`${label(`p99 latency, ${sizes}:`)}${(large.p99 / small.p99).toFixed(2)}x`);
  return lost + doubled === 0;
}

async function main(): Promise<void> {
  // BENCH_LEDGER_BACKENDS=file or =gcs runs one section only.
  const wanted = (process.env.BENCH_LEDGER_BACKENDS ?? 'file,gcs').split(',');
  let ok = true;
  if (wanted.includes('file')) ok = (await section(fileBackend, FILE_PLAN)) && ok;
  if (wanted.includes('gcs')) {
    const binary = findFakeGcs();
    if (!binary) {
      console.log(
        '\nGCS backend skipped: fake-gcs-server not found (go install github.com/fsouza/fake-gcs-server@v1.56.1)',
      );
    } else {
      const gcs = await gcsBackend(binary);
      try {
        ok = (await section(gcs, GCS_PLAN)) && ok;
      } finally {
        await gcs.stop();
      }
    }
  }
  if (!ok) process.exitCode = 1;
}

void main();
