import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Invalid, NotFound } from '@fts/shared';
import { FileStore, openStore } from '@fts/shared/node';
import { REPO, tempDir } from '../helpers/tmp';
import { runStoreContract } from './contract';

const run = promisify(execFile);

describe('FileStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('fts-store-'));
  });
  afterAll(() => cleanup());

  let n = 0;
  runStoreContract('FileStore', async () => ({
    store: new FileStore(path.join(dir, `contract-${++n}`), 'main'),
    otherBucket: 'other',
  }));

  describe('keys that try to leave the store', () => {
    const escapes = [
      '../outside.txt',
      'a/../../outside.txt',
      '/etc/passwd',
      '/tmp/outside.txt',
      'a\\..\\..\\outside.txt',
      '..\\outside.txt',
      'a\0b',
      'nul\0/../../x',
      '.',
      '..',
      'a/./b',
      'a//b',
      'trailing/',
    ];
    let root: string;
    let store: FileStore;
    beforeAll(async () => {
      root = path.join(dir, 'escape', 'root');
      store = new FileStore(root, 'local');
      await store.write('inside.txt', 'ok');
    });

    it.each(escapes)('refuses %j with Invalid for every operation and writes nothing', async (key) => {
      const before = await fs.readdir(path.join(dir, 'escape'), { recursive: true });
      await expect(store.write(key, 'x')).rejects.toBeInstanceOf(Invalid);
      await expect(store.write(key, 'x', { ifGenerationMatch: 0 })).rejects.toBeInstanceOf(Invalid);
      await expect(store.read(key)).rejects.toBeInstanceOf(Invalid);
      await expect(store.readStream(key)).rejects.toBeInstanceOf(Invalid);
      await expect(store.stat(key)).rejects.toBeInstanceOf(Invalid);
      await expect(store.delete(key)).rejects.toBeInstanceOf(Invalid);
      expect(await fs.readdir(path.join(dir, 'escape'), { recursive: true })).toEqual(before);
      expect(existsSync('/tmp/outside.txt')).toBe(false);
      expect((await store.read('inside.txt')).toString()).toBe('ok');
    });

    it('refuses list prefixes that climb out', async () => {
      await expect(store.list({ prefix: '../' })).rejects.toBeInstanceOf(Invalid);
      await expect(store.list({ prefix: 'a/../../' })).rejects.toBeInstanceOf(Invalid);
    });

    it('refuses bucket names that are paths', () => {
      for (const name of ['..', '../x', 'a/b', '.locks', '', 'UPPER']) {
        expect(() => store.bucket(name)).toThrow(Invalid);
      }
    });
  });

  describe('objects and folders', () => {
    it('treats a folder as no object: stat, read and readStream say so', async () => {
      const store = new FileStore(path.join(dir, 'folders'), 'local');
      await store.write('a/b.txt', 'x');
      expect(await store.stat('a')).toBeUndefined();
      await expect(store.read('a')).rejects.toBeInstanceOf(NotFound);
      await expect(store.readStream('a')).rejects.toBeInstanceOf(NotFound);
      // Deleting "a" leaves "a/b.txt" alone.
      await store.delete('a');
      expect((await store.read('a/b.txt')).toString()).toBe('x');
    });

    it('refuses an object where a folder of other keys is, with Invalid', async () => {
      const store = new FileStore(path.join(dir, 'clash'), 'local');
      await store.write('a/b.txt', 'x');
      await expect(store.write('a', 'y')).rejects.toBeInstanceOf(Invalid);
      await store.write('c', 'y');
      await expect(store.write('c/d', 'z')).rejects.toBeInstanceOf(Invalid);
    });

    it('creates objects in a folder while deletes prune it, without failing', async () => {
      const store = new FileStore(path.join(dir, 'prune'), 'local');
      for (let round = 0; round < 20; round++) {
        await store.write(`pending/old-${round}`, 'x');
        await Promise.all([
          store.delete(`pending/old-${round}`),
          store.write(`pending/new-${round}`, 'y', { ifGenerationMatch: 0 }),
        ]);
        expect((await store.read(`pending/new-${round}`)).toString()).toBe('y');
        await store.delete(`pending/new-${round}`);
      }
    });
  });

  it('refuses a key whose folder or file name is too long for the disk with Invalid, not a crash', async () => {
    const store = new FileStore(path.join(dir, 'long-names'), 'local');
    const key = `videos/${'n'.repeat(300)}.mp4`;
    await expect(store.write(key, 'x')).rejects.toBeInstanceOf(Invalid);
    await expect(store.write(key, 'x', { ifGenerationMatch: 0 })).rejects.toBeInstanceOf(Invalid);
    await expect(store.write(`${'d'.repeat(300)}/a.mp4`, 'x')).rejects.toBeInstanceOf(Invalid);
    expect(await store.stat(key)).toBeUndefined();
    await expect(store.read(key)).rejects.toBeInstanceOf(NotFound);
    await expect(store.readStream(key)).rejects.toBeInstanceOf(NotFound);
  });

  describe('symbolic links inside the data folder', () => {
    // Someone with a shell on the host (or a careless `ln -s`) can put links in the folder;
    // the store must not follow one out of the bucket, for reads or writes.
    let root: string;
    let outside: string;
    let store: FileStore;
    beforeAll(async () => {
      root = path.join(dir, 'links', 'root');
      outside = path.join(dir, 'links', 'outside');
      await fs.mkdir(outside, { recursive: true });
      await fs.writeFile(path.join(outside, 'secret.mp4'), 'SECRET');
      store = new FileStore(root, 'local');
      await store.write('videos/real.mp4', 'REAL');
      await fs.symlink(path.join(outside, 'secret.mp4'), path.join(root, 'local', 'videos', 'file-link.mp4'));
      await fs.symlink(outside, path.join(root, 'local', 'dir-link'));
    });

    it.each(['videos/file-link.mp4', 'dir-link/secret.mp4'])(
      '%s is no object: not read, streamed or listed',
      async (key) => {
        expect(await store.stat(key)).toBeUndefined();
        await expect(store.read(key)).rejects.toBeInstanceOf(NotFound);
        await expect(store.read(key, { start: 0, end: 2 })).rejects.toBeInstanceOf(NotFound);
        await expect(store.readStream(key)).rejects.toBeInstanceOf(NotFound);
        const listed = await store.list({ prefix: '' });
        expect(listed.objects.map((o) => o.key)).toEqual(['videos/real.mp4']);
      },
    );

    it('does not write or delete through a linked folder', async () => {
      await expect(store.write('dir-link/new.txt', 'x')).rejects.toBeInstanceOf(Invalid);
      await expect(
        store.write('dir-link/deeper/new.txt', 'x', { ifGenerationMatch: 0 }),
      ).rejects.toBeInstanceOf(Invalid);
      await expect(store.delete('dir-link/secret.mp4')).rejects.toBeInstanceOf(Invalid);
      expect((await fs.readdir(outside)).sort()).toEqual(['secret.mp4']);
      expect(await fs.readFile(path.join(outside, 'secret.mp4'), 'utf8')).toBe('SECRET');
    });

    it('still reads a bucket folder that is itself a link (data kept on another disk)', async () => {
      const disk = path.join(dir, 'links', 'disk');
      await fs.mkdir(path.join(disk, 'clip'), { recursive: true });
      await fs.writeFile(path.join(disk, 'clip', 'a.mp4'), 'A');
      await fs.symlink(disk, path.join(root, 'other-bucket'));
      const other = store.bucket('other-bucket');
      expect((await other.read('clip/a.mp4')).toString()).toBe('A');
      await other.write('clip/b.mp4', 'B');
      expect(await fs.readFile(path.join(disk, 'clip', 'b.mp4'), 'utf8')).toBe('B');
    });
  });

  it('opens file:// URLs relative to a folder', async () => {
    const store = await openStore('file://./opened', dir);
    expect(store).toBeInstanceOf(FileStore);
    await store.write('k.txt', 'v');
    expect(await fs.readFile(path.join(dir, 'opened', 'local', 'k.txt'), 'utf8')).toBe('v');
  });

  it('gives each key to exactly one of two processes racing create-only writes', async () => {
    const worker = path.join(__dirname, 'create-worker.mjs');
    const root = path.join(dir, 'create-race');
    const keys = 40;
    const outputs = await Promise.all(
      ['one', 'two'].map((name) => run('node', [worker, root, 'local', name, String(keys)])),
    );
    const [one, two] = outputs.map((o) => (JSON.parse(o.stdout) as { created: string[] }).created);
    expect([...one!, ...two!].sort()).toEqual(Array.from({ length: keys }, (_, i) => `race/k${i}`).sort());
    const store = new FileStore(root, 'local');
    for (const [name, won] of [
      ['one', one!],
      ['two', two!],
    ] as const) {
      for (const key of won) expect((await store.read(key)).toString().split(' ')[0]).toBe(name);
    }
  });

  it('loses no update when two processes compare-and-swap one counter', async () => {
    const worker = path.join(__dirname, 'cas-worker.mjs');
    if (!existsSync(path.join(REPO, 'shared/dist/node/storage/file-store.js'))) {
      throw new Error('shared/dist is missing: run `npm run build` first');
    }
    const root = path.join(dir, 'cas');
    const store = new FileStore(root, 'local');
    await store.write('counter', '0');
    const increments = 40;
    const outputs = await Promise.all(
      [1, 2].map(() => run('node', [worker, root, 'local', 'counter', String(increments)])),
    );
    const results = outputs.map((o) => JSON.parse(o.stdout) as { successes: number; conflicts: number });
    const successes = results.reduce((sum, r) => sum + r.successes, 0);
    expect(successes).toBe(2 * increments);
    expect(Number((await store.read('counter')).toString())).toBe(successes);
  });
});
