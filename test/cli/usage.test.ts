import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { tempDir } from '../helpers/tmp';
import { runCli, spawnCli } from './helpers';

describe('score-cli usage', () => {
  it.each([
    [['upload', '.', '--concurrency', '0']],
    [['upload', '.', '--to', 'file:///tmp', '--server', 'http://127.0.0.1:1']],
    [['upload', '.', '--token', 'x']],
    [['upload', 'examples/runs/run_20261115_101500', '--to', 'ftp://host/x']],
    [['frobnicate']],
    [['runs', '--nope']],
    [['scores', '--server', 'not a url']],
    [[]],
  ])('%j is bad usage (exit 2) and says what to do', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error|Usage/);
  });

  it('says a broken rubric.json is a problem, not that the default rubric applies', async () => {
    const { dir, cleanup } = await tempDir('fts-cli-rubric-');
    try {
      const run = path.join(dir, 'run_bad_rubric');
      await fs.mkdir(run);
      await fs.writeFile(path.join(run, 'a.json'), JSON.stringify({ video_uri: 'gs://bkt-1/a.mp4' }));
      await fs.writeFile(path.join(run, 'rubric.json'), JSON.stringify({ criteria: [] }));
      const r = await runCli(['validate', run]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/problem rubric\.json: invalid rubric/);
      expect(r.stdout + r.stderr).toMatch(/a rubric with problems/);
      expect(r.stdout + r.stderr).not.toMatch(/the default rubric/);
    } finally {
      await cleanup();
    }
  });

  it('refuses a folder that does not exist, or a folder name that is no run ID, as bad usage', async () => {
    const { dir, cleanup } = await tempDir('fts-cli-usage-');
    try {
      const missing = await runCli(['upload', path.join(dir, 'no_such_run')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no_such_run is not a folder: give the run folder/);
      const badName = await runCli(['validate', dir, '--run-id', 'has space']);
      expect(badName.code).toBe(2);
      expect(badName.stderr).toMatch(/run ID "has space" is not valid.*pass --run-id/);
    } finally {
      await cleanup();
    }
  });

  it.each(['upload', 'validate', 'runs', 'scores', 'stats', 'compare'])(
    '%s --help shows examples and exits 0',
    async (command) => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n\s+\$ (\S+=\S+ )?score-cli /);
    },
  );

  it('says where to look next when a run, a folder or Cloud Storage is not there', async () => {
    const { dir, cleanup } = await tempDir('fts-cli-next-');
    try {
      const noRun = await runCli(['stats', 'run_nope', '--from', `file://${dir}`]);
      expect(noRun.code).toBe(1);
      expect(noRun.stderr).toBe(
        `error: no run run_nope; the runs there: score-cli runs --from file://${dir}\n`,
      );

      const noFolder = await runCli(['scores', '--from', `file://${dir}`, '-o', 'missing/scores.csv'], {
        cwd: dir,
      });
      expect(noFolder.code).toBe(1);
      expect(noFolder.stderr).toMatch(
        /cannot write .*scores\.csv: the folder .*missing does not exist; create it/,
      );
      expect(await fs.readdir(dir)).toEqual([]);

      // Nothing listens on port 9: the GCS client gives up after its retries. In a child
      // process, as the other store calls running alongside keep retrying until it exits.
      const noGcs = await spawnCli(['runs', '--from', 'gs://fts-unreachable'], {
        env: { STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9' },
      });
      expect(noGcs.code).toBe(1);
      expect(noGcs.stderr).toMatch(/^error: GcsStore gs:\/\/fts-unreachable: list .*ECONNREFUSED/);
      expect(noGcs.stderr).toMatch(
        /\nnext: Cloud Storage could not be reached: check your network .*run the same command again/,
      );
    } finally {
      await cleanup();
    }
  });
});
