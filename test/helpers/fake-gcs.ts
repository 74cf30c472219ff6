import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GcsStore, type GcsStoreOptions } from '../../shared/src/node/storage/gcs-store';

/**
 * fake-gcs-server, the GCS emulator (`go install github.com/fsouza/fake-gcs-server@v1.56.1`),
 * started on 127.0.0.1 for a test file and stopped by its process id.
 */
export interface FakeGcs {
  /** `http://127.0.0.1:PORT`: what STORAGE_EMULATOR_HOST should hold. */
  readonly url: string;
  /** Environment for a child process (the CLI, a server) that should use this emulator. */
  readonly env: { STORAGE_EMULATOR_HOST: string };
  /** Create a bucket (a random name unless given) and return its name. */
  createBucket(name?: string): Promise<string>;
  /** A store on an existing bucket through this emulator. */
  store(bucket: string, options?: Omit<GcsStoreOptions, 'bucket' | 'apiEndpoint'>): GcsStore;
  /** A store on a fresh, empty bucket: one call for suites that just need somewhere to write. */
  freshStore(options?: Omit<GcsStoreOptions, 'bucket' | 'apiEndpoint'>): Promise<GcsStore>;
  stop(): Promise<void>;
}

const MISSING =
  'fake-gcs-server is not installed (go install github.com/fsouza/fake-gcs-server@v1.56.1); ' +
  'looked on PATH, in $GOBIN and in ~/go/bin';

/** The emulator's binary: on PATH, in $GOBIN, or in ~/go/bin. */
export function findFakeGcsServer(): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter),
    ...(process.env.GOBIN ? [process.env.GOBIN] : []),
    path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin'),
    path.join(os.homedir(), 'go', 'bin'),
  ];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'fake-gcs-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/storage/v1/b`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fake-gcs-server did not answer on ${url} within 15 s: ${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(child.pid!, 'SIGTERM');
  });
}

/** Start fake-gcs-server (in-memory) on a free port of 127.0.0.1, with `buckets` created. */
export async function startFakeGcs(buckets: string[] = [], binary = findFakeGcsServer()): Promise<FakeGcs> {
  if (!binary) throw new Error(MISSING);
  let lastError: unknown;
  // A probed port can be taken before the emulator binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
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
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    try {
      await waitUntilReady(url, child, () => stderr);
    } catch (e) {
      lastError = e;
      await stopChild(child);
      continue;
    }
    const fake: FakeGcs = {
      url,
      env: { STORAGE_EMULATOR_HOST: url },
      async createBucket(name = `t-${randomBytes(6).toString('hex')}`) {
        const res = await fetch(`${url}/storage/v1/b?project=test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
        });
        if (!res.ok)
          throw new Error(`fake-gcs-server: creating bucket ${name}: ${res.status} ${await res.text()}`);
        return name;
      },
      store: (bucket, options = {}) => new GcsStore({ ...options, bucket, apiEndpoint: url }),
      async freshStore(options = {}) {
        return fake.store(await fake.createBucket(), options);
      },
      stop: () => stopChild(child),
    };
    for (const b of buckets) await fake.createBucket(b);
    return fake;
  }
  throw lastError;
}

/**
 * `describe` with a fake-gcs-server started once for the block (beforeAll) and stopped after
 * it. `gcs()` gives the running emulator inside tests and hooks. Without the binary the block
 * is skipped with a message, except under CI=true, where it fails: CI must run the GCS half.
 *
 * ```ts
 * describeWithFakeGcs('the ledger on GCS', (gcs) => {
 *   it('…', async () => {
 *     const store = await gcs().freshStore();           // an empty bucket of its own
 *     // a child process: env { ...process.env, ...gcs().env } and `gs://${store.bucketName}`
 *   });
 * });
 * ```
 */
export function describeWithFakeGcs(name: string, body: (gcs: () => FakeGcs) => void): void {
  const binary = findFakeGcsServer();
  if (!binary) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs fake-gcs-server', () => {
          throw new Error(`${MISSING}; under CI=true the GCS suites must run`);
        });
      });
    } else {
      console.warn(`SKIPPED "${name}": ${MISSING}`);
      describe.skip(name, () => body(() => undefined as unknown as FakeGcs));
    }
    return;
  }
  describe(name, () => {
    let fake: FakeGcs | undefined;
    beforeAll(async () => {
      fake = await startFakeGcs([], binary);
    });
    afterAll(async () => {
      await fake?.stop();
    });
    body(() => {
      if (!fake) throw new Error('fake-gcs-server is not running (beforeAll failed?)');
      return fake;
    });
  });
}
