import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Invalid } from '@fts/shared';
import { openStore } from '@fts/shared/node';
import { REPO, tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const SHARED_DIST = path.join(REPO, 'shared/dist/node/index.js');

/** Open `url` in a fresh node process and list the @google-cloud modules it loaded. */
async function modulesLoadedOpening(url: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const script = `
    const { openStore } = require(${JSON.stringify(SHARED_DIST)});
    openStore(${JSON.stringify(url)}).then((store) => {
      const loaded = Object.keys(require.cache).filter((k) => k.includes('@google-cloud'));
      process.stdout.write(JSON.stringify({ url: store.url, loaded }));
    });`;
  const { stdout } = await run('node', ['-e', script], { env: { ...process.env, ...env } });
  return (JSON.parse(stdout) as { loaded: string[] }).loaded;
}

describe('openStore', () => {
  beforeAll(() => {
    if (!existsSync(SHARED_DIST)) throw new Error('shared/dist is missing: run `npm run build` first');
  });

  it('never loads the GCS client for a file:// store, and loads it for gs://', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      expect(await modulesLoadedOpening(`file://${dir}`)).toEqual([]);
      const loaded = await modulesLoadedOpening('gs://some-bucket/prefix', {
        STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9',
      });
      expect(loaded.some((m) => m.includes(`${path.sep}@google-cloud${path.sep}storage${path.sep}`))).toBe(
        true,
      );
    } finally {
      await cleanup();
    }
  });

  it.each(['gs://', 'gs:///prefix', 'gs://Upper-Case', 'gs://a', 's3://bucket', 'bucket', 'file://'])(
    'refuses %j with Invalid',
    async (url) => {
      await expect(openStore(url, process.cwd(), {})).rejects.toBeInstanceOf(Invalid);
    },
  );
});
