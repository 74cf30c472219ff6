import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Invalid, NotFound, PreconditionFailed } from '@fts/shared';
import { contentTypeFor, listAll, type ListPage, type ObjectStore } from '@fts/shared/node';

/** What one contract test gets: an empty store, and the name of a second empty bucket beside it. */
export interface StoreFixture {
  store: ObjectStore;
  otherBucket: string;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Every page of a listing, collected. */
async function allPages(
  store: ObjectStore,
  options: Parameters<ObjectStore['list']>[0],
): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.list({ ...options, ...(pageToken ? { pageToken } : {}) });
    pages.push(page);
    pageToken = page.nextPageToken;
    if (pages.length > 50) throw new Error('listing does not end');
  } while (pageToken);
  return pages;
}

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('base64');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The storage contract every backend honours (see shared/src/node/storage/store.ts).
 * `makeStore` is called once per test and must give an empty store.
 */
export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name}: the storage contract`, () => {
    let store: ObjectStore;
    let otherBucket: string;
    beforeEach(async () => {
      ({ store, otherBucket } = await makeStore());
    });

    it('writes, reads back and overwrites, with a new generation each time', async () => {
      const first = await store.write('runs/a.json', '{"v":1}');
      expect(first).toMatchObject({ key: 'runs/a.json', size: 7, md5: md5('{"v":1}') });
      expect(first.generation).toEqual(expect.any(String));
      expect((await store.read('runs/a.json')).toString()).toBe('{"v":1}');

      const second = await store.write('runs/a.json', Buffer.from('{"v":22}'));
      expect(second.size).toBe(8);
      expect(second.generation).not.toBe(first.generation);
      expect((await store.read('runs/a.json')).toString()).toBe('{"v":22}');

      const info = await store.stat('runs/a.json');
      expect(info).toMatchObject({ key: 'runs/a.json', size: 8, generation: second.generation });
      expect(info!.contentType).toBe(contentTypeFor('runs/a.json'));
      expect(Number.isNaN(Date.parse(info!.updated))).toBe(false);
      if (info!.md5 !== undefined) expect(info!.md5).toBe(md5('{"v":22}'));
    });

    it('keeps binary content byte for byte', async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.write('bin/all-bytes.bin', bytes);
      expect((await store.read('bin/all-bytes.bin')).equals(bytes)).toBe(true);
      expect((await drain(await store.readStream('bin/all-bytes.bin'))).equals(bytes)).toBe(true);
    });

    it('creates only once with ifGenerationMatch 0', async () => {
      const created = await store.write('once.txt', 'first', { ifGenerationMatch: 0 });
      await expect(store.write('once.txt', 'second', { ifGenerationMatch: 0 })).rejects.toBeInstanceOf(
        PreconditionFailed,
      );
      expect((await store.read('once.txt')).toString()).toBe('first');
      expect((await store.stat('once.txt'))!.generation).toBe(created.generation);
    });

    it('lets exactly one of many concurrent create-only writes win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.write('race.txt', `writer ${i}`, { ifGenerationMatch: 0 })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailed);
      }
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect((await store.read('race.txt')).toString()).toBe(`writer ${winner}`);
    });

    it('compares and swaps on the generation', async () => {
      const v1 = await store.write('counter', '1');
      const v2 = await store.write('counter', '2', { ifGenerationMatch: v1.generation });
      expect(v2.generation).not.toBe(v1.generation);
      expect((await store.read('counter')).toString()).toBe('2');

      // A writer still holding the first generation loses, and changes nothing.
      await expect(
        store.write('counter', 'stale', { ifGenerationMatch: v1.generation }),
      ).rejects.toBeInstanceOf(PreconditionFailed);
      expect((await store.read('counter')).toString()).toBe('2');
      expect((await store.stat('counter'))!.generation).toBe(v2.generation);

      // A generation for an object that does not exist fails too.
      await expect(store.write('absent', 'x', { ifGenerationMatch: v2.generation })).rejects.toBeInstanceOf(
        PreconditionFailed,
      );
      expect(await store.stat('absent')).toBeUndefined();
    });

    it('lets exactly one of many concurrent compare-and-swaps from one generation win', async () => {
      const base = await store.write('cas.txt', 'base');
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          store.write('cas.txt', `next ${i}`, { ifGenerationMatch: base.generation }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      const won = results[winner] as PromiseFulfilledResult<{ generation: string }>;
      expect((await store.read('cas.txt')).toString()).toBe(`next ${winner}`);
      expect((await store.stat('cas.txt'))!.generation).toBe(won.value.generation);
    });

    it('deletes, and deleting a missing object succeeds', async () => {
      await store.write('gone/soon.txt', 'x');
      await store.delete('gone/soon.txt');
      expect(await store.stat('gone/soon.txt')).toBeUndefined();
      await expect(store.read('gone/soon.txt')).rejects.toBeInstanceOf(NotFound);
      await expect(store.delete('gone/soon.txt')).resolves.toBeUndefined();
      await expect(store.delete('never/was.txt')).resolves.toBeUndefined();
      // A deleted object can be created again, create-only.
      await store.write('gone/soon.txt', 'again', { ifGenerationMatch: 0 });
      expect((await store.read('gone/soon.txt')).toString()).toBe('again');
    });

    it('reports missing objects: stat undefined, read and readStream NotFound', async () => {
      expect(await store.stat('no/such.json')).toBeUndefined();
      await expect(store.read('no/such.json')).rejects.toBeInstanceOf(NotFound);
      await expect(store.read('no/such.json', { start: 0, end: 9 })).rejects.toBeInstanceOf(NotFound);
      // Whether the promise rejects or the stream errors, the error is NotFound.
      await expect(store.readStream('no/such.json').then(drain)).rejects.toBeInstanceOf(NotFound);
    });

    it('lists by prefix, in byte order, with sizes and generations', async () => {
      const keys = ['runs/r1/b.json', 'runs/r1/a.json', 'runs/r2/x.json', 'runsx.json', 'other/z.json'];
      for (const k of keys) await store.write(k, k);
      const page = await store.list({ prefix: 'runs/' });
      expect(page.objects.map((o) => o.key)).toEqual(['runs/r1/a.json', 'runs/r1/b.json', 'runs/r2/x.json']);
      expect(page.prefixes).toEqual([]);
      expect(page.nextPageToken).toBeUndefined();
      const a = page.objects[0]!;
      expect(a.size).toBe('runs/r1/a.json'.length);
      expect(a.generation).toBe((await store.stat('runs/r1/a.json'))!.generation);
      const everything = await store.list();
      expect(everything.objects.map((o) => o.key)).toEqual([...keys].sort(byBytes));
      expect((await store.list({ prefix: 'nothing/' })).objects).toEqual([]);
    });

    it('groups by delimiter into prefixes', async () => {
      for (const k of ['top.json', 'runs/r1/a.json', 'runs/r1/b.json', 'runs/r2/c.json', 'runs/d.json'])
        await store.write(k, 'x');
      const root = await store.list({ delimiter: '/' });
      expect(root.objects.map((o) => o.key)).toEqual(['top.json']);
      expect(root.prefixes).toEqual(['runs/']);
      const runs = await store.list({ prefix: 'runs/', delimiter: '/' });
      expect(runs.objects.map((o) => o.key)).toEqual(['runs/d.json']);
      expect(runs.prefixes).toEqual(['runs/r1/', 'runs/r2/']);
    });

    it('paginates over more than one page without losing or repeating a key', async () => {
      const keys = Array.from({ length: 7 }, (_, i) => `page/item-${i}.json`);
      await Promise.all(keys.map((k) => store.write(k, k)));
      await store.write('elsewhere.json', 'x');
      const pages = await allPages(store, { prefix: 'page/', maxResults: 3 });
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const p of pages) expect(p.objects.length).toBeLessThanOrEqual(3);
      expect(pages.flatMap((p) => p.objects.map((o) => o.key))).toEqual(keys);
      // listAll walks the same pages.
      const walked: string[] = [];
      for await (const o of listAll(store, { prefix: 'page/', maxResults: 2 })) walked.push(o.key);
      expect(walked).toEqual(keys);
    });

    it('paginates a delimited listing, every object once and every prefix', async () => {
      const keys = ['a.json', 'b/1.json', 'b/2.json', 'c.json', 'd/1.json', 'e.json', 'f/1.json', 'g.json'];
      for (const k of keys) await store.write(k, 'x');
      const pages = await allPages(store, { delimiter: '/', maxResults: 2 });
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.flatMap((p) => p.objects.map((o) => o.key))).toEqual([
        'a.json',
        'c.json',
        'e.json',
        'g.json',
      ]);
      // GCS may name a prefix again on a later page (fake-gcs-server does), never twice on one.
      for (const p of pages) expect(new Set(p.prefixes).size).toBe(p.prefixes.length);
      expect([...new Set(pages.flatMap((p) => p.prefixes))]).toEqual(['b/', 'd/', 'f/']);
    });

    it('reads byte ranges, end inclusive, clamped to the size', async () => {
      await store.write('video.mp4', '0123456789');
      expect((await store.read('video.mp4', { start: 2, end: 5 })).toString()).toBe('2345');
      expect((await store.read('video.mp4', { start: 0, end: 0 })).toString()).toBe('0');
      expect((await store.read('video.mp4', { start: 7, end: 100 })).toString()).toBe('789');
      expect((await store.read('video.mp4', { start: 10, end: 20 })).length).toBe(0);
      expect((await drain(await store.readStream('video.mp4', { start: 3, end: 6 }))).toString()).toBe(
        '3456',
      );
      expect((await drain(await store.readStream('video.mp4'))).toString()).toBe('0123456789');
      const info = await store.stat('video.mp4');
      expect(info!.contentType).toBe('video/mp4');
    });

    it('keeps keys with spaces, unicode, # and other URL characters exact', async () => {
      const keys = [
        'videos/line 3/cam 01.mp4',
        'videos/usine-Ünïcødé/クリップ.mp4',
        'videos/#7 take?.mp4',
        'videos/100% done+more&x=y.json',
      ];
      for (const k of keys) await store.write(k, `content of ${k}`);
      for (const k of keys) {
        expect((await store.read(k)).toString()).toBe(`content of ${k}`);
        expect((await store.stat(k))!.key).toBe(k);
      }
      const listed = (await store.list({ prefix: 'videos/' })).objects.map((o) => o.key);
      expect(listed).toEqual([...keys].sort(byBytes));
      const hash = await store.list({ prefix: 'videos/#' });
      expect(hash.objects.map((o) => o.key)).toEqual(['videos/#7 take?.mp4']);
      await store.delete('videos/#7 take?.mp4');
      expect(await store.stat('videos/#7 take?.mp4')).toBeUndefined();
    });

    it('refuses empty keys', async () => {
      await expect(store.write('', 'x')).rejects.toBeInstanceOf(Invalid);
      await expect(store.read('')).rejects.toBeInstanceOf(Invalid);
    });

    it('keeps buckets apart: bucket(name) sees only its own objects', async () => {
      const other = store.bucket(otherBucket);
      expect(other.bucketName).toBe(otherBucket);
      expect(other.url).toContain(otherBucket);
      await store.write('shared-name.json', 'mine');
      await other.write('shared-name.json', 'theirs');
      await other.write('only-there.json', 'x');
      expect((await store.read('shared-name.json')).toString()).toBe('mine');
      expect((await other.read('shared-name.json')).toString()).toBe('theirs');
      expect(await store.stat('only-there.json')).toBeUndefined();
      expect((await other.list()).objects.map((o) => o.key)).toEqual(['only-there.json', 'shared-name.json']);
      expect((await store.list()).objects.map((o) => o.key)).toEqual(['shared-name.json']);
      await other.delete('shared-name.json');
      expect((await store.read('shared-name.json')).toString()).toBe('mine');
    });
  });
}
