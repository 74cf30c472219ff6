/* eslint-disable @typescript-eslint/no-require-imports */
// Upload speed and memory: a generated run of 2,000 item files uploaded the way score-cli
// does it (parallel, bounded) against one file at a time into the same store, and the
// memory of an upload of 500 files against one of 2,000 (each in a fresh process).
//
//   npm run build && node test/bench/upload.bench.js
//
// The store is fake-gcs-server (started here) when this build can open gs:// stores;
// otherwise the file backend, said so in the output. BENCH_FILES changes the run size.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '../..');
const shared = require(path.join(REPO, 'shared/dist/node/index.js'));
const cli = require(path.join(REPO, 'cli/dist/index.js'));

const FILES = Number(process.env.BENCH_FILES || 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const FAKE_GCS = process.env.FAKE_GCS_SERVER || path.join(os.homedir(), 'go/bin/fake-gcs-server');
const BUCKET = 'bench-bucket';
/** Simulated round trip per store call when only the file backend exists; 0 turns it off. */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const LATENCY_FILES = Number(process.env.BENCH_LATENCY_FILES || 200);
/** Stores to measure, in order; memory is measured on the first. */
const STORES = (process.env.BENCH_STORES || 'gcs,file').split(',');

/** A run folder like the pipeline writes: one JSON per video, in a few sub-folders, plus a config. */
function generateRun(root, name, count) {
  const dir = path.join(root, name);
  for (let i = 0; i < count; i++) {
    const line = `line${i % 4}`;
    const sub = path.join(dir, line, `cam${String(i % 8).padStart(2, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    const record = {
      video_uri: `gs://factory-videos/${line}/clip${String(i).padStart(5, '0')}.mp4`,
      model: 'gemini-2.5-pro',
      prompt_version: 'task_segmentation_v4',
      latency_s: 12.5 + (i % 7),
      output: {
        primary_task: 'Fasten bracket to conveyor frame',
        segments: Array.from({ length: 6 }, (_, s) => ({
          start: `00:${String(s * 4).padStart(2, '0')}`,
          end: `00:${String(s * 4 + 4).padStart(2, '0')}`,
          action: `Step ${s + 1} of the task, described in a sentence or two by the model`,
          confidence: 0.8,
        })),
      },
      usage: { prompt_tokens: 25811, candidates_tokens: 412 },
    };
    fs.writeFileSync(
      path.join(sub, `clip${String(i).padStart(5, '0')}.json`),
      JSON.stringify(record, null, 2),
    );
  }
  fs.writeFileSync(path.join(dir, 'run_config.json'), JSON.stringify({ model: 'gemini-2.5-pro', n: count }));
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start fake-gcs-server with an empty bucket; resolves with its host and a stop function. */
async function startFakeGcs() {
  const port = await freePort();
  const child = spawn(
    FAKE_GCS,
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
    {
      stdio: 'ignore',
    },
  );
  const host = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) =>
      child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
    );
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${host}/storage/v1/b?project=bench`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: BUCKET }),
      });
      if (res.ok || res.status === 409) return { host, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error('fake-gcs-server did not start');
}

/**
 * Until this build's openStore opens gs:// URLs, the bench talks to fake-gcs-server through
 * @google-cloud/storage with this minimal adapter: only the calls an upload makes (stat, list,
 * read, write with a create-only precondition, delete). It is not the app's GCS backend.
 */
function benchGcsStore(host) {
  const { Storage } = require('@google-cloud/storage');
  const bucket = new Storage({ apiEndpoint: host, projectId: 'bench' }).bucket(BUCKET);
  const info = (m) => ({
    key: m.name,
    size: Number(m.size),
    generation: String(m.generation),
    md5: m.md5Hash,
    updated: m.updated,
    contentType: m.contentType,
  });
  const notFound = (e) => e && e.code === 404;
  const store = {
    url: `gs://${BUCKET}`,
    bucketName: BUCKET,
    async stat(key) {
      try {
        const [m] = await bucket.file(key).getMetadata();
        return info(m);
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async read(key) {
      const [buf] = await bucket.file(key).download();
      return buf;
    },
    async write(key, data, options = {}) {
      const file = bucket.file(key);
      try {
        await file.save(typeof data === 'string' ? Buffer.from(data) : data, {
          resumable: false,
          contentType: options.contentType,
          ...(options.ifGenerationMatch !== undefined
            ? { preconditionOpts: { ifGenerationMatch: options.ifGenerationMatch } }
            : {}),
        });
      } catch (e) {
        if (e && e.code === 412)
          throw new (require(path.join(REPO, 'shared/dist/index.js')).PreconditionFailed)(key);
        throw e;
      }
      return info(file.metadata);
    },
    async delete(key) {
      await bucket.file(key).delete({ ignoreNotFound: true });
    },
    async list(options = {}) {
      const [files, next, api] = await bucket.getFiles({
        prefix: options.prefix,
        delimiter: options.delimiter,
        maxResults: options.maxResults ?? 1000,
        pageToken: options.pageToken,
        autoPaginate: false,
      });
      return {
        objects: files.map((f) => info(f.metadata)),
        prefixes: (api && api.prefixes) || [],
        ...(next && next.pageToken ? { nextPageToken: next.pageToken } : {}),
      };
    },
    bucket() {
      throw new Error('not used by uploads');
    },
    async readStream() {
      throw new Error('not used by uploads');
    },
  };
  return store;
}

/**
 * Store factories. Each `make()` gives a fresh, empty store, so no measurement pays for the
 * objects another one left (fake-gcs-server slows down as a bucket fills).
 */
function fileFactory(scratch) {
  let n = 0;
  return {
    name: 'file backend',
    async make() {
      const url = `file://${path.join(scratch, `store${n++}`)}`;
      return { spec: { url }, store: await shared.openStore(url), stop: async () => {} };
    },
  };
}

async function gcsFactory() {
  // Does this build open gs:// stores? Ask once, against a throwaway emulator.
  const probe = await startFakeGcs();
  let native = true;
  try {
    process.env.STORAGE_EMULATOR_HOST = probe.host;
    await shared.openStore(`gs://${BUCKET}`);
  } catch (e) {
    native = false;
    console.log(`note: this build cannot open gs:// stores (${e.message}):`);
    console.log('      fake-gcs-server is reached through a bench-only @google-cloud/storage adapter');
  } finally {
    delete process.env.STORAGE_EMULATOR_HOST;
    await probe.stop();
  }
  return {
    name: native ? 'fake-gcs-server' : 'fake-gcs-server (bench adapter)',
    async make() {
      const gcs = await startFakeGcs();
      if (!native) return { spec: { gcsHost: gcs.host }, store: benchGcsStore(gcs.host), stop: gcs.stop };
      process.env.STORAGE_EMULATOR_HOST = gcs.host;
      const url = `gs://${BUCKET}`;
      return { spec: { url, emulator: gcs.host }, store: await shared.openStore(url), stop: gcs.stop };
    },
  };
}

/** Upload as score-cli does: check the folder, then publish with bounded parallel writes. */
async function uploadParallel(store, dir, runId, onFile) {
  const run = await cli.checkRun(dir, { runId });
  return cli.uploadToStore(run, store, { concurrency: CONCURRENCY, ...(onFile ? { onFile } : {}) });
}

/**
 * The store with a fixed delay before every call: a stand-in for the round trip to a real
 * bucket (GCS answers a small object write in tens of milliseconds) when only the file
 * backend is available.
 */
function withLatency(store, ms) {
  const wait = () => new Promise((r) => setTimeout(r, ms));
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (!['read', 'write', 'stat', 'list', 'delete'].includes(prop)) return value.bind(target);
      return async (...args) => {
        await wait();
        return value.apply(target, args);
      };
    },
  });
}

/** The baseline: check and send one file at a time, then the manifest. */
async function uploadOneByOne(store, dir, runId) {
  const check = await shared.checkRunFolder(dir, { concurrency: 1 });
  return shared.publishRun(store, shared.runUploadFromFolder(runId, check), { concurrency: 1 });
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** Child process: upload one folder, sampling memory; prints JSON. */
async function child(spec, dir, runId) {
  if (spec.emulator) process.env.STORAGE_EMULATOR_HOST = spec.emulator;
  const store = spec.gcsHost ? benchGcsStore(spec.gcsHost) : await shared.openStore(spec.url);
  global.gc();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 10);
  // Live heap halfway through sending: what the upload holds, garbage collected.
  let midHeap = 0;
  let done = 0;
  const total = (await shared.checkRunFolder(dir)).files.length;
  global.gc();
  await uploadParallel(store, dir, runId, () => {
    if (++done === Math.floor(total / 2)) {
      global.gc();
      midHeap = process.memoryUsage().heapUsed;
    }
  });
  clearInterval(timer);
  sample();
  global.gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(
    JSON.stringify({ baseHeap: base.heapUsed, peakHeap, peakRss, midHeap, afterHeap: after }),
  );
}

function memoryRun(spec, dir, runId) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', __filename, '--child', JSON.stringify(spec), dir, runId],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out);
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;

/** Time `upload` on a fresh store from `factory`, optionally with a simulated round trip. */
async function measure(factory, upload, dir, latencyMs) {
  const target = await factory.make();
  try {
    const store = latencyMs ? withLatency(target.store, latencyMs) : target.store;
    const { ms, result } = await timed(() => upload(store, dir, 'bench_run'));
    return { ms, sent: result.sent };
  } finally {
    await target.stop();
  }
}

function compare(label, files, one, par) {
  const rate = (m) => ((files / m.ms) * 1000).toFixed(0);
  console.log(`  ${label}`);
  console.log(`    one file at a time  : ${one.ms.toFixed(0).padStart(6)} ms (${rate(one)} files/s)`);
  console.log(`    score-cli (parallel): ${par.ms.toFixed(0).padStart(6)} ms (${rate(par)} files/s)`);
  console.log(`    speed-up: ${(one.ms / par.ms).toFixed(1)}x (target >= 8x)`);
  if (one.sent !== files || par.sent !== files) throw new Error('not every file was sent');
}

async function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fts-bench-upload-'));
  try {
    const small = Math.round(FILES / 4);
    const big = generateRun(scratch, 'run_big', FILES);
    const smallDir = generateRun(scratch, 'run_small', small);
    const latencyFiles = Math.min(FILES, LATENCY_FILES);
    const latencyDir = generateRun(scratch, 'run_latency', latencyFiles);
    const factories = [];
    for (const name of STORES) {
      if (name === 'gcs' && fs.existsSync(FAKE_GCS)) factories.push(await gcsFactory());
      else if (name === 'gcs') console.log(`note: no fake-gcs-server at ${FAKE_GCS}; skipping GCS`);
      if (name === 'file') factories.push(fileFactory(scratch));
    }
    console.log(`upload benchmark: generated runs of item files (+1 config), concurrency ${CONCURRENCY}`);
    for (const factory of factories) {
      console.log(`\n${factory.name}`);
      const one = await measure(factory, uploadOneByOne, big);
      const par = await measure(factory, uploadParallel, big);
      compare(`${FILES} files`, FILES + 1, one, par);
      if (LATENCY_MS > 0) {
        // A real bucket is tens of milliseconds away; the emulator and a folder are not, so
        // there the client's parallelism is capped by the backend's own CPU or disk.
        const a = await measure(factory, uploadOneByOne, latencyDir, LATENCY_MS);
        const b = await measure(factory, uploadParallel, latencyDir, LATENCY_MS);
        compare(
          `${latencyFiles} files, ${LATENCY_MS} ms simulated round trip per call`,
          latencyFiles + 1,
          a,
          b,
        );
      }
      if (factory !== factories[0]) continue;
      const target = await factory.make();
      try {
        const m1 = memoryRun(target.spec, smallDir, 'bench_mem_small');
        const m2 = memoryRun(target.spec, big, 'bench_mem_big');
        console.log('  memory of score-cli upload (fresh process each; heap sampled every 10 ms):');
        for (const [n, m] of [
          [small + 1, m1],
          [FILES + 1, m2],
        ]) {
          console.log(
            `    ${String(n).padStart(5)} files: live heap halfway ${mb(m.midHeap)} (start ${mb(m.baseHeap)}), peak heap ${mb(m.peakHeap)}, peak RSS ${mb(m.peakRss)}`,
          );
        }
        console.log(
          `    growth: live heap ${mb(m2.midHeap - m1.midHeap)}, peak heap ${mb(m2.peakHeap - m1.peakHeap)}, peak RSS ${mb(m2.peakRss - m1.peakRss)}`,
        );
      } finally {
        await target.stop();
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3]), process.argv[4], process.argv[5]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
