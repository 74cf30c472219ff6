import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO, tempDir } from '../helpers/tmp';
import { reproduceImage, type BuiltStage } from './reproduce';

// Builds the Dockerfile's stages in a temporary folder (npm ci twice, the full build) and
// starts the runtime stage as the image would. npm's cache keeps the installs off the network.
// Kept out of the main jest run (it is the slowest check): `npm run test:image` runs it, last in `npm test`.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Poll until the server answers /healthz, or the process exits. */
async function waitForHealth(base: string, child: ChildProcess, output: () => string): Promise<Response> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    const res = await fetch(`${base}/healthz`).catch(() => undefined);
    if (res) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer /healthz:\n${output()}`);
}

function listTree(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const child = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() && !e.isSymbolicLink() ? [`${child}/`, ...listTree(dir, child)] : [child];
  });
}

describe('the image, rebuilt from the Dockerfile without Docker', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let runtime: BuiltStage;
  let app: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fts-image-'));
    const stages = await reproduceImage({ context: REPO, out: dir, npmCiArgs: ['--prefer-offline'] });
    runtime = stages[stages.length - 1]!;
    app = path.join(runtime.root, runtime.workdir);
  }, 600_000);
  afterAll(() => cleanup());

  it('ships the built server, shared package and client, and the examples', () => {
    expect(runtime.name).toBe('runtime');
    for (const f of [
      'server/dist/main.js',
      'server/dist/config.js',
      'shared/dist/index.js',
      'shared/dist/node/index.js',
      'client/dist/index.html',
      'examples/runs/run_20261115_101500/run_config.json',
      'examples/videos/line3/cam01/line3_cam01_clip0047.mp4',
    ]) {
      expect(fs.existsSync(path.join(app, f))).toBe(true);
    }
  });

  it('holds no sources, tests, data, CLI build or secrets', () => {
    const tree = listTree(app).filter((f) => !f.startsWith('node_modules/'));
    expect(tree.filter((f) => /(^|\/)src\//.test(f))).toEqual([]);
    expect(tree.filter((f) => /^(test|\.ci|cli\/dist)\//.test(f))).toEqual([]);
    expect(tree.filter((f) => /(^|\/)(\.env|[^/]*\.pem|[^/]*-key\.json)$/.test(f))).toEqual([]);
    expect(fs.readdirSync(path.join(app, 'data'))).toEqual([]);
  });

  it('installs only production dependencies', () => {
    const modules = path.join(app, 'node_modules');
    for (const dep of ['express', '@google-cloud/storage', 'csv-stringify', 'zod']) {
      expect(fs.existsSync(path.join(modules, dep, 'package.json'))).toBe(true);
    }
    for (const dev of ['typescript', 'jest', 'vite', 'eslint', 'playwright-core', 'commander']) {
      expect(fs.existsSync(path.join(modules, dev))).toBe(false);
    }
  });

  it('runs as the unprivileged user, which owns the embedded store folder', () => {
    expect(runtime.user).toBe('node');
    expect(runtime.chowns).toContainEqual({ owner: 'node:node', path: '/app/data' });
    expect(runtime.env.NODE_ENV).toBe('production');
  });

  it('starts with its CMD on $PORT and serves /healthz, the rater app and the demo runs', async () => {
    const port = await freePort();
    const [program, ...args] = runtime.cmd!;
    // The environment the image gives, plus what Cloud Run sets.
    const child = spawn(program === 'node' ? process.execPath : program!, args, {
      cwd: app,
      env: { PATH: process.env.PATH, HOME: dir, ...runtime.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await waitForHealth(base, child, () => output);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, storage: expect.stringMatching(/^file:\/\//) });

      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const html = await page.text();
      expect(html).toContain('<title>Factory Task Scoring</title>');
      const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html);
      expect(script).not.toBeNull();
      const js = await fetch(`${base}${script![1]}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect((await js.text()).length).toBeGreaterThan(1000);

      const runs = await fetch(`${base}/runs`);
      const ids = ((await runs.json()) as { id: string }[]).map((r) => r.id);
      expect(ids.sort()).toEqual(['run_20261115_101500', 'run_20261116_093000']);
      expect(fs.readdirSync(path.join(app, 'data')).length).toBeGreaterThan(0);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
    expect(output).toMatch(/SIGTERM: finishing in-flight requests/);
  });
});
