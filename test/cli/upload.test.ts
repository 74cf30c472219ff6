import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Unavailable } from '@fts/shared';
import { listAll, RunCatalog, type ObjectStore } from '@fts/shared/node';
import { checkRun, uploadToStore } from '../../cli/src/upload';
import { EXAMPLES, tempDir } from '../helpers/tmp';
import { itemJson, makeRunFolder, runCli, STORE_FACTORIES, type TestStore } from './helpers';

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of listAll(store, { prefix })) keys.push(o.key);
  return keys;
}

describe.each(STORE_FACTORIES)('score-cli upload into the $name store', (factory) => {
  let work: string;
  let removeWork: () => Promise<void>;
  let t: TestStore;

  beforeAll(async () => {
    ({ dir: work, cleanup: removeWork } = await tempDir('fts-cli-runs-'));
  });
  afterAll(() => removeWork());
  beforeEach(async () => {
    t = await factory.make();
  });
  afterEach(() => t.cleanup());

  it('uploads both example runs, which are then listed with their items', async () => {
    for (const run of ['run_20261115_101500', 'run_20261116_093000']) {
      const r = await runCli(['upload', path.join(EXAMPLES, 'runs', run), '--to', t.url], { env: t.env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`uploaded ${run}`);
      expect(r.stderr).toMatch(/upload: \d+\/\d+ files/);
    }
    const catalog = new RunCatalog(t.store);
    expect(await catalog.runIds()).toEqual(['run_20261116_093000', 'run_20261115_101500']);
    const first = await catalog.get('run_20261115_101500');
    expect(first.items.map((i) => i.id)).toEqual([
      'line3_cam01_clip0047',
      'line3_cam01_clip0050',
      'line3_cam02_clip0112',
      'packing_cam04_clip0008',
    ]);
    expect(first.manifest.model).toBe('gemini-2.5-pro');
    expect(first.metadata['run_config.json']).toMatchObject({ temperature: 0.2 });
    expect((await catalog.get('run_20261116_093000')).items).toHaveLength(3);
  });

  it('reports every bad file with its reason and sends nothing; --skip-invalid sends the rest', async () => {
    const dir = await makeRunFolder(work, `run_broken_${factory.name}`, {
      'good.json': itemJson('videos/a.mp4'),
      'broken.json': '{"video_uri": "videos/b.mp4", "output": ',
      'noref.json': JSON.stringify({ output: { summary: 'no video named' } }),
      'bad.jsonl': `${JSON.stringify({ video_uri: 'videos/c.mp4' })}\n{oops\n`,
      'notes.txt': 'remember to rerun clip 50',
    });
    await fs.symlink(path.join(dir, 'gone.json'), path.join(dir, 'dangling.json'));

    const refused = await runCli(['upload', dir, '--to', t.url], { env: t.env });
    expect(refused.code).toBe(1);
    const lines = refused.stderr.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^problem broken\.json: invalid JSON/));
    expect(lines).toContainEqual(expect.stringMatching(/^problem noref\.json: no video reference/));
    expect(lines).toContainEqual(expect.stringMatching(/^problem dangling\.json: unreadable/));
    expect(lines).toContainEqual(expect.stringMatching(/^problem bad\.jsonl:2: invalid JSON/));
    expect(lines).toContain('skipped notes.txt: not a .json or .jsonl file');
    expect(refused.stderr).toMatch(/4 problem\(s\) in .*nothing was uploaded.*--skip-invalid/);
    expect(await keysUnder(t.store, 'inference_runs/')).toEqual([]);

    const partial = await runCli(['upload', dir, '--to', t.url, '--skip-invalid'], { env: t.env });
    expect(partial.code).toBe(0);
    const run = await new RunCatalog(t.store).get(`run_broken_${factory.name}`);
    expect(run.items.map((i) => i.id)).toEqual(['good']);
    expect(run.manifest.skipped.map((s) => s.path)).toEqual(
      expect.arrayContaining(['notes.txt', 'broken.json', 'noref.json', 'dangling.json', 'bad.jsonl:2']),
    );
  });

  it('upload does what validate said: the same counts, and the run lands in the store', async () => {
    const dir = await makeRunFolder(work, `run_validated_${factory.name}`, {
      'a.json': itemJson('videos/a.mp4'),
      'deep/b.jsonl': `${JSON.stringify({ video_uri: 'videos/b.mp4' })}\n${JSON.stringify({ video_uri: 'videos/c.mp4' })}\n`,
      'notes.txt': 'not run data',
    });
    const checked = await runCli(['validate', dir, '--json']);
    expect(checked.code).toBe(0);
    const verdict = JSON.parse(checked.stdout);
    expect(verdict).toMatchObject({ ok: true, itemCount: 3 });
    const uploaded = await runCli(['upload', dir, '--to', t.url, '--json'], { env: t.env });
    expect(uploaded.code).toBe(0);
    expect(JSON.parse(uploaded.stdout)).toMatchObject({ ok: true, itemCount: verdict.itemCount, sent: 2 });
    const run = await new RunCatalog(t.store).get(`run_validated_${factory.name}`);
    expect(run.items.map((i) => i.id)).toEqual(['a', 'deep/b~1', 'deep/b~2']);
  });

  it('refuses a folder with no JSON at all, listing what it skipped', async () => {
    const dir = await makeRunFolder(work, `run_nojson_${factory.name}`, {
      'README.md': '# notes',
      'clip.mp4': Buffer.from([0, 0, 0, 24]),
    });
    const r = await runCli(['upload', dir, '--to', t.url], { env: t.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('skipped README.md: not a .json or .jsonl file');
    expect(r.stderr).toContain('skipped clip.mp4: not a .json or .jsonl file');
    expect(r.stderr).toMatch(/error: no items in .*names a video/);
    expect(await keysUnder(t.store, 'inference_runs/')).toEqual([]);
  });

  it('finds items nested three levels deep, with their paths as item IDs', async () => {
    const dir = await makeRunFolder(work, `run_nested_${factory.name}`, {
      'line3/cam01/day1/clip1.json': itemJson('gs://factory-videos/line3/cam01/clip1.mp4'),
      'line3/cam01/day1/clip2.json': itemJson('gs://factory-videos/line3/cam01/clip2.mp4'),
      'line3/config.json': JSON.stringify({ model: 'm-nested', prompt_version: 'p7' }),
    });
    const r = await runCli(['upload', dir, '--to', t.url], { env: t.env });
    expect(r.code).toBe(0);
    const run = await new RunCatalog(t.store).get(`run_nested_${factory.name}`);
    expect(run.items.map((i) => i.id)).toEqual(['line3/cam01/day1/clip1', 'line3/cam01/day1/clip2']);
    expect(run.items[0]?.videoUri).toBe('gs://factory-videos/line3/cam01/clip1.mp4');
    expect(Object.keys(run.metadata)).toEqual(['line3/config.json']);
    expect(run.prompt).toBe('p7');
  });

  it('skips .DS_Store, log files and macOS resource forks, and says so', async () => {
    const dir = await makeRunFolder(work, `run_junk_${factory.name}`, {
      '.DS_Store': Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]),
      'inference.log': 'INFO starting\n',
      'logs/worker-1.log': 'WARN retry\n',
      '._clip1.json': Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]),
      'clip1.json': itemJson('videos/clip1.mp4'),
    });
    const r = await runCli(['upload', dir, '--to', t.url], { env: t.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('skipped .DS_Store: not a .json or .jsonl file');
    expect(r.stderr).toContain('skipped inference.log: not a .json or .jsonl file');
    expect(r.stderr).toContain('skipped logs/worker-1.log: not a .json or .jsonl file');
    expect(r.stderr).toContain('skipped ._clip1.json: macOS resource fork');
    const runId = `run_junk_${factory.name}`;
    expect((await keysUnder(t.store, `inference_runs/${runId}/`)).sort()).toEqual([
      `inference_runs/${runId}/clip1.json`,
      `inference_runs/${runId}/manifest.json`,
    ]);
  });

  it('reads JSONL: one item per line', async () => {
    const lines = [1, 2, 3].map((n) =>
      JSON.stringify({ gcs_uri: `gs://factory-videos/c${n}.mp4`, response: `ok ${n}` }),
    );
    const dir = await makeRunFolder(work, `run_jsonl_${factory.name}`, {
      'results.jsonl': `${lines.join('\n')}\n\n`,
    });
    const r = await runCli(['upload', dir, '--to', t.url, '--json'], { env: t.env });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, itemCount: 3, sent: 1, unchanged: 0, files: 1 });
    const run = await new RunCatalog(t.store).get(`run_jsonl_${factory.name}`);
    expect(run.items.map((i) => i.id)).toEqual(['results~1', 'results~2', 'results~3']);
  });

  it('refuses a second upload of the same run, and replaces it with --replace', async () => {
    const dir = await makeRunFolder(work, `run_twice_${factory.name}`, {
      'a.json': itemJson('videos/a.mp4'),
      'b.json': itemJson('videos/b.mp4'),
    });
    const runId = `run_twice_${factory.name}`;
    expect((await runCli(['upload', dir, '--to', t.url], { env: t.env })).code).toBe(0);
    const before = await t.store.stat(`inference_runs/${runId}/manifest.json`);

    const again = await runCli(['upload', dir, '--to', t.url], { env: t.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/run_twice_\w+ already exists .*Pass --replace/);
    expect((await t.store.stat(`inference_runs/${runId}/manifest.json`))?.generation).toBe(
      before?.generation,
    );

    await fs.rm(path.join(dir, 'b.json'));
    await fs.writeFile(path.join(dir, 'c.json'), itemJson('videos/c.mp4'));
    const replaced = await runCli(['upload', dir, '--to', t.url, '--replace'], { env: t.env });
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('(1 sent, 1 unchanged)');
    const run = await new RunCatalog(t.store).get(runId);
    expect(run.items.map((i) => i.id)).toEqual(['a', 'c']);
    expect(await t.store.stat(`inference_runs/${runId}/b.json`)).toBeUndefined();
  });

  it('--dry-run checks and tells what would happen, writing nothing', async () => {
    const dir = await makeRunFolder(work, `run_dry_${factory.name}`, { 'a.json': itemJson('videos/a.mp4') });
    const r = await runCli(['upload', dir, '--to', t.url, '--dry-run'], { env: t.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /dry run: would upload run_dry_\w+: 1 item\(s\), 1 file\(s\) .*1 to send, 0 already there/,
    );
    expect(await keysUnder(t.store, '')).toEqual([]);
  });

  it('retries transient write failures and still writes the manifest last', async () => {
    const dir = await makeRunFolder(work, `run_flaky_${factory.name}`, {
      'a.json': itemJson('videos/a.mp4'),
      'b.json': itemJson('videos/b.mp4'),
      'c.json': itemJson('videos/c.mp4'),
    });
    const attempts = new Map<string, number>();
    const order: string[] = [];
    const flaky = new Proxy(t.store, {
      get(target, prop, receiver) {
        if (prop === 'write') {
          return async (key: string, data: Buffer | string, options?: object) => {
            const n = (attempts.get(key) ?? 0) + 1;
            attempts.set(key, n);
            if (n === 1 && !key.endsWith('manifest.json')) throw new Unavailable(`503 for ${key}`);
            order.push(key);
            return target.write(key, data, options);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const run = await checkRun(dir);
    const outcome = await uploadToStore(run, flaky, { retry: { baseDelayMs: 1 } });
    expect(outcome).toMatchObject({ sent: 3, unchanged: 0 });
    expect([...attempts.values()]).toEqual([2, 2, 2, 1]);
    expect(order[order.length - 1]).toMatch(/manifest\.json$/);
  });

  it('refuses a file edited after the check instead of uploading content nobody checked', async () => {
    const dir = await makeRunFolder(work, `run_edited_${factory.name}`, {
      'a.json': itemJson('videos/a.mp4'),
    });
    const run = await checkRun(dir);
    await fs.writeFile(path.join(dir, 'a.json'), '{"not": "checked"');
    await expect(uploadToStore(run, t.store)).rejects.toThrow(/a\.json changed after it was checked/);
    expect(await t.store.stat(`inference_runs/run_edited_${factory.name}/manifest.json`)).toBeUndefined();
  });
});
