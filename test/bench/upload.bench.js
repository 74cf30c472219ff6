/* eslint-disable @typescript-eslint/no-require-imports */
// Upload speed and memory of score-cli against the app's GCS backend (GcsStore, opened with
// openStore('gs://…') and STORAGE_EMULATOR_HOST) in front of fake-gcs-server:
//
//   A. fake-gcs-server directly: no network delay. On a small machine the emulator itself is
//      the limit (it is CPU-bound), so this shows the emulator's ceiling more than the client's.
//   B. through a proxy that delays every request by a round trip (BENCH_RTT_MS, 40 ms by
//      default), as a real bucket is some distance away: this is what parallel sending is for.
//
// Both compare score-cli's bounded parallel upload with sending one file at a time, in the same
// run. Memory: an upload of 500 files against one of 2,000, each in a fresh process.
//
//   npm run build && node test/bench/upload.bench.js
//
// Settings: BENCH_FILES (2000), BENCH_CONCURRENCY (16, score-cli's default), BENCH_RTT_MS (40),
// BENCH_RTT_BASELINE_FILES (200: one at a time through the delay is ~2 round trips' worth of
// time per file, so the baseline there is timed on a smaller run and compared per file).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '../..');
const shared = require(path.join(REPO, 'shared/dist/node/index.js'));
const cli = require(path.join(REPO, 'cli/dist/index.js'));

const FILES = Number(process.env.BENCH_FILES || 2000);
const SMALL_FILES = 500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const RTT_MS = Number(process.env.BENCH_RTT_MS || 40);
const RTT_BASELINE_FILES = Number(process.env.BENCH_RTT_BASELINE_FILES || 200);
const BUCKET = 'bench-bucket';

function findFakeGcs() {
  const dirs = [
    ...(process.env.PATH || '').split(path.delimiter),
    process.env.GOBIN,
    path.join(os.homedir(), 'go/bin'),
  ].filter(Boolean);
  for (const dir of dirs) {
    const p = path.join(dir, 'fake-gcs-server');
    if (fs.existsSync(p)) return p;
  }
  throw new Error('fake-gcs-server is not installed: go install github.com/fsouza/fake-gcs-server@v1.56.1');
}

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

/** Stop a child by its process id and wait for it to exit. */
function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(child.pid, 'SIGTERM');
  });
}

/**
 * A fresh fake-gcs-server (in memory) with an empty bucket, so no measurement pays for the
 * objects another left. Resolves with its address and a stop function.
 */
async function startFakeGcs(binary) {
  const port = await freePort();
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
  const host = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      const res = await fetch(`${host}/storage/v1/b?project=bench`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: BUCKET }),
      });
      if (res.ok || res.status === 409) return { host, pid: child.pid, stop: () => stopChild(child) };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child);
  throw new Error('fake-gcs-server did not start');
}

/**
 * Child process: an HTTP proxy on 127.0.0.1 that holds each request for half the round trip
 * before passing it on and each answer for the other half. Prints its port.
 */
function runLatencyProxy(upstream, rttMs) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const half = rttMs / 2;
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (upRes) => {
          setTimeout(() => {
            res.writeHead(upRes.statusCode || 502, upRes.headers);
            upRes.pipe(res);
          }, half);
        },
      );
      up.on('error', () => req.socket.destroy());
      req.pipe(up);
    }, half);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

/** Start the latency proxy in its own process, so it never competes with the client measured. */
function startLatencyProxy(upstream, rttMs) {
  const child = spawn(process.execPath, [__filename, '--proxy', upstream, String(rttMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`latency proxy exited with ${code}`)));
    child.stdout.once('data', (d) => {
      const host = `http://127.0.0.1:${Number(String(d).trim())}`;
      resolve({ host, pid: child.pid, stop: () => stopChild(child) });
    });
  });
}

/** CPU time (user + system, ms) a child process has used so far, from /proc (Linux). */
function cpuMsOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** GcsStore exactly as score-cli opens it for `--to gs://BUCKET`. */
function openGcs(host) {
  return shared.openStore(`gs://${BUCKET}`, REPO, { STORAGE_EMULATOR_HOST: host });
}

/** Upload as score-cli does: check the folder, then publish with bounded parallel writes. */
async function uploadParallel(store, dir, runId, onFile) {
  const run = await cli.checkRun(dir, { runId });
  return cli.uploadToStore(run, store, { concurrency: CONCURRENCY, ...(onFile ? { onFile } : {}) });
}

/** The baseline: check and send one file at a time, then the manifest. */
async function uploadOneByOne(store, dir, runId) {
  const check = await shared.checkRunFolder(dir, { concurrency: 1 });
  return shared.publishRun(store, shared.runUploadFromFolder(runId, check), { concurrency: 1 });
}

/** Time `upload` of `dir` (`files` files) into a fresh emulator, optionally behind the proxy. */
async function measure(binary, upload, dir, files, rttMs) {
  const gcs = await startFakeGcs(binary);
  const proxy = rttMs ? await startLatencyProxy(gcs.host, rttMs) : undefined;
  try {
    const store = await openGcs((proxy || gcs).host);
    const cpu = process.cpuUsage();
    const emulatorCpu = cpuMsOf(gcs.pid);
    const start = process.hrtime.bigint();
    const result = await upload(store, dir, 'bench_run');
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.sent !== files) throw new Error(`sent ${result.sent} of ${files} files`);
    const used = process.cpuUsage(cpu);
    return {
      ms,
      files,
      rate: (files / ms) * 1000,
      clientCpu: (used.user + used.system) / 1000,
      emulatorCpu: cpuMsOf(gcs.pid) - emulatorCpu,
    };
  } finally {
    await proxy?.stop();
    await gcs.stop();
  }
}

/** Child process: upload one folder to the emulator at `host`; prints memory figures as JSON. */
async function memoryChild(host, dir, runId) {
  const store = await openGcs(host);
  global.gc();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  const total = (await shared.checkRunFolder(dir)).files.length;
  // Live heap halfway through sending, garbage collected: what the upload holds on to.
  let midHeap = 0;
  let done = 0;
  global.gc();
  await uploadParallel(store, dir, runId, () => {
    if (++done === Math.floor(total / 2)) {
      global.gc();
      midHeap = process.memoryUsage().heapUsed;
    }
  });
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  global.gc();
  const end = process.memoryUsage();
  process.stdout.write(
    JSON.stringify({ startHeap: start.heapUsed, midHeap, endHeap: end.heapUsed, peakRss, endRss: end.rss }),
  );
}

async function memoryRun(binary, dir) {
  const gcs = await startFakeGcs(binary);
  try {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', __filename, '--memory', gcs.host, dir, 'bench_mem'],
      {
        encoding: 'utf8',
      },
    );
    return JSON.parse(out);
  } finally {
    await gcs.stop();
  }
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const line = (label, m) =>
  `    ${label.padEnd(22)}: ${String(m.files).padStart(5)} files in ${m.ms.toFixed(0).padStart(6)} ms = ${m.rate
    .toFixed(0)
    .padStart(5)} files/s (CPU per file: client ${(m.clientCpu / m.files).toFixed(1)} ms, emulator ${(
    m.emulatorCpu / m.files
  ).toFixed(1)} ms)`;

async function main() {
  const binary = findFakeGcs();
  const began = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fts-bench-upload-'));
  try {
    const big = generateRun(scratch, 'run_big', FILES);
    const small = generateRun(scratch, 'run_small', SMALL_FILES);
    const sample = generateRun(scratch, 'run_sample', Math.min(FILES, RTT_BASELINE_FILES));
    const n = (count) => count + 1; // + run_config.json
    console.log(
      `upload benchmark: GcsStore via openStore('gs://${BUCKET}') + STORAGE_EMULATOR_HOST -> fake-gcs-server ` +
        `(in memory, fresh per measurement); score-cli concurrency ${CONCURRENCY}; item files ~1.2 KB ` +
        `(+1 config file); ${os.cpus().length} CPU(s)`,
    );

    console.log(
      `\nA. fake-gcs-server directly, no network delay: CPU-bound (client and emulator share the machine)`,
    );
    const a1 = await measure(binary, uploadOneByOne, big, n(FILES));
    const a2 = await measure(binary, uploadParallel, big, n(FILES));
    console.log(line('one file at a time', a1));
    console.log(line('score-cli (parallel)', a2));
    console.log(`    speed-up: ${(a1.ms / a2.ms).toFixed(1)}x`);

    console.log(
      `\nB. through a proxy adding a ${RTT_MS} ms round trip to every request (like a real bucket over the network)`,
    );
    const sampleFiles = n(Math.min(FILES, RTT_BASELINE_FILES));
    const b1 = await measure(binary, uploadOneByOne, sample, sampleFiles, RTT_MS);
    const b2 = await measure(binary, uploadParallel, sample, sampleFiles, RTT_MS);
    const b3 = await measure(binary, uploadParallel, big, n(FILES), RTT_MS);
    console.log(line('one file at a time', b1));
    console.log(line('score-cli (parallel)', b2));
    console.log(`    speed-up on the same ${sampleFiles} files: ${(b1.ms / b2.ms).toFixed(1)}x`);
    console.log(line('score-cli (parallel)', b3));
    console.log(
      `    speed-up, ${n(FILES)} files against one at a time: ${(b3.rate / b1.rate).toFixed(1)}x in files/s ` +
        `(one at a time would take ~${(n(FILES) / b1.rate).toFixed(0)} s; timed on ${sampleFiles} files, where the ` +
        `emulator is faster, so this understates the gain)`,
    );

    console.log(
      `\nmemory of score-cli upload to fake-gcs-server (fresh process each, heap after a forced GC):`,
    );
    const m1 = await memoryRun(binary, small);
    const m2 = await memoryRun(binary, big);
    for (const [count, m] of [
      [n(SMALL_FILES), m1],
      [n(FILES), m2],
    ]) {
      console.log(
        `    ${String(count).padStart(5)} files: heap used ${mb(m.startHeap)} at start, ${mb(m.midHeap)} halfway, ` +
          `${mb(m.endHeap)} after; RSS peak ${mb(m.peakRss)}, ${mb(m.endRss)} after`,
      );
    }
    console.log(
      `    ${n(FILES)} vs ${n(SMALL_FILES)} files: heap halfway ${m2.midHeap >= m1.midHeap ? '+' : ''}${mb(m2.midHeap - m1.midHeap)}, ` +
        `RSS peak ${m2.peakRss >= m1.peakRss ? '+' : ''}${mb(m2.peakRss - m1.peakRss)}`,
    );
    console.log(`\ntotal ${((Date.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const fail = (e) => {
  console.error(e);
  process.exit(1);
};
if (process.argv[2] === '--proxy') runLatencyProxy(process.argv[3], Number(process.argv[4]));
else if (process.argv[2] === '--memory')
  memoryChild(process.argv[3], process.argv[4], process.argv[5]).catch(fail);
else main().catch(fail);
