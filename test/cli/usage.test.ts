import * as path from 'node:path';
import { tempDir } from '../helpers/tmp';
import { runCli } from './helpers';

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

  it.each(['upload', 'validate', 'runs', 'scores'])(
    '%s --help shows examples and exits 0',
    async (command) => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n\s+\$ (\S+=\S+ )?score-cli /);
    },
  );
});
