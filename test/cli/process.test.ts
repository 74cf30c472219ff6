import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { listAll, RunCatalog } from '@fts/shared/node';
import { EXAMPLES, REPO, tempDir } from '../helpers/tmp';
import {
  fileStoreFactory,
  itemJson,
  killUploadAfter,
  makeRunFolder,
  spawnCli,
  STORE_FACTORIES,
  type TestStore,
} from './helpers';

// The built binary, as a user runs it: exit codes, piped output, and a kill halfway.
describe('the score-cli binary', () => {
  let t: TestStore;
  let work: string;
  let removeWork: () => Promise<void>;

  beforeAll(async () => {
    t = await fileStoreFactory.make();
    ({ dir: work, cleanup: removeWork } = await tempDir('fts-cli-bin-'));
  });
  afterAll(async () => {
    await t.cleanup();
    await removeWork();
  });

  it('exits 0 on success, with plain progress lines when piped', async () => {
    const r = await spawnCli(['upload', path.join(EXAMPLES, 'runs', 'run_20261116_093000'), '--to', t.url]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^upload: 3\/3 files \(3 sent, 0 unchanged\), \d+ files\/s$/m);
    expect(r.stderr).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/^uploaded run_20261116_093000: 3 item\(s\), 3 file\(s\)/);
  });

  it('is installed as node_modules/.bin/score-cli, which npx runs from the repository', async () => {
    const installed = path.join(REPO, 'node_modules', '.bin', 'score-cli');
    const help = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(installed, ['--help'], { cwd: REPO }, (error, stdout) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      ),
    );
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: score-cli \[options\] \[command\]/);
    for (const command of ['upload', 'validate', 'runs', 'scores', 'stats', 'compare'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('exits 1 when the folder has problems, 2 on bad usage, 0 for help', async () => {
    const dir = await makeRunFolder(work, 'run_exit_codes', { 'a.json': '{' });
    const bad = await spawnCli(['validate', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/problem a\.json: invalid JSON/);
    expect(bad.stdout).toMatch(/^not ready run_exit_codes:/);

    const usage = await spawnCli(['upload']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument 'dir'\n\(add --help for usage and examples\)/);
    const help = await spawnCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 success, 1 failure, 2 bad usage.');
  });
});

// The kill happens in a separate process, so the store is reached by URL (and, for GCS,
// STORAGE_EMULATOR_HOST in the child's environment) exactly as a user's shell would.
describe.each(STORE_FACTORIES)('the score-cli binary on the $name store', (factory) => {
  let t: TestStore;
  let work: string;
  let removeWork: () => Promise<void>;

  beforeAll(async () => {
    t = await factory.make();
    ({ dir: work, cleanup: removeWork } = await tempDir('fts-cli-kill-'));
  });
  afterAll(async () => {
    await t.cleanup();
    await removeWork();
  });

  it('leaves no visible run when killed halfway, and a rerun finishes it without resending', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++)
      files[`clips/clip${String(i).padStart(2, '0')}.json`] = itemJson(`videos/clip${i}.mp4`);
    const dir = await makeRunFolder(work, 'run_killed', files);
    const args = ['upload', dir, '--to', t.url, '--concurrency', '2'];

    const killed = await killUploadAfter(args, 10, t.env);
    expect(killed.signal).toBe('SIGKILL');
    const present: string[] = [];
    for await (const o of listAll(t.store, { prefix: 'inference_runs/run_killed/' })) present.push(o.key);
    expect(present.length).toBeGreaterThanOrEqual(10);
    expect(present.length).toBeLessThan(30);
    expect(present).not.toContain('inference_runs/run_killed/manifest.json');
    expect(await new RunCatalog(t.store).runIds()).not.toContain('run_killed');

    const rerun = await spawnCli(args, { env: t.env });
    expect(rerun.code).toBe(0);
    const counts = /\((\d+) sent, (\d+) unchanged\)/.exec(rerun.stdout);
    expect(Number(counts?.[2])).toBe(present.length);
    expect(Number(counts?.[1])).toBe(30 - present.length);
    const run = await new RunCatalog(t.store).get('run_killed');
    expect(run.items).toHaveLength(30);
  });
});
