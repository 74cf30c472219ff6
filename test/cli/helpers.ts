import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openStore, type ObjectStore } from '@fts/shared/node';
import { main } from '../../cli/src/program';
import type { CliIo } from '../../cli/src/io';
import { findFakeGcsServer, startFakeGcs, type FakeGcs } from '../helpers/fake-gcs';
import { CLI, tempDir } from '../helpers/tmp';

/** A store the CLI can be pointed at by URL, and the same store opened for checking. */
export interface TestStore {
  url: string;
  store: ObjectStore;
  /** Environment the CLI needs to reach the store (STORAGE_EMULATOR_HOST for fake-gcs-server). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Makes a fresh, empty store of one backend. */
export interface StoreFactory {
  name: string;
  make(): Promise<TestStore>;
}

export const fileStoreFactory: StoreFactory = {
  name: 'file',
  async make() {
    const { dir, cleanup } = await tempDir('fts-cli-store-');
    const url = `file://${dir}`;
    return { url, store: await openStore(url), env: {}, cleanup };
  },
};

let emulator: Promise<FakeGcs> | undefined;
// One fake-gcs-server per test file, started by the first GCS store it asks for.
afterAll(async () => {
  const running = emulator;
  emulator = undefined;
  await (await running?.catch(() => undefined))?.stop();
});

/** A fresh bucket in fake-gcs-server, which the CLI reaches as gs://BUCKET with STORAGE_EMULATOR_HOST. */
export const gcsStoreFactory: StoreFactory = {
  name: 'gcs',
  async make() {
    emulator ??= startFakeGcs();
    const gcs = await emulator;
    const bucket = await gcs.createBucket();
    // Objects go with the emulator (in memory) when the file's tests end.
    return { url: `gs://${bucket}`, store: gcs.store(bucket), env: { ...gcs.env }, cleanup: async () => {} };
  },
};

/**
 * Every backend the CLI tests run against. Without fake-gcs-server the GCS half is left out
 * with a warning, except under CI=true, where its tests fail: CI must run them.
 */
export const STORE_FACTORIES: StoreFactory[] =
  findFakeGcsServer() || process.env.CI === 'true'
    ? [fileStoreFactory, gcsStoreFactory]
    : (console.warn('SKIPPED the CLI tests against GCS: fake-gcs-server is not installed'),
      [fileStoreFactory]);

/** Write a folder of files (`content` strings or buffers) under `root/name`; returns its path. */
export async function makeRunFolder(
  root: string,
  name: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
  return dir;
}

/** An item record as Python's json.dump writes it. */
export function itemJson(video: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    { video_uri: video, model: 'm1', output: { summary: `about ${video}` }, ...extra },
    null,
    2,
  );
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run score-cli in this process (no terminal), capturing its output. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Run the built binary (`cli/dist/bin.js`) in a child process, output piped. */
export function spawnCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), CLI, ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Start the built CLI with writes slowed down and SIGKILL it once `after` objects are written:
 * an upload killed halfway. Resolves with what it printed before dying.
 */
export function killUploadAfter(
  args: string[],
  after: number,
  env: Record<string, string> = {},
): Promise<{ signal: string | null; stderr: string }> {
  const preload = path.join(__dirname, 'fixtures', 'slow-writes.js');
  const child = spawn(process.execPath, ['--require', preload, CLI, ...args], {
    env: { ...process.env, ...env, SLOW_WRITE_MS: '40' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let written = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    written = stderr.split('\n').filter((l) => l.startsWith('wrote ')).length;
    if (written >= after && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('close', (_code, signal) => resolve({ signal, stderr })));
}
