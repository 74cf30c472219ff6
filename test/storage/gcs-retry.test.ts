import { NotFound, PreconditionFailed, Unavailable } from '@fts/shared';
import { GcsStore } from '../../shared/src/node/storage/gcs-store';
import { describeWithFakeGcs } from '../helpers/fake-gcs';
import { startFaultyProxy, type FaultyProxy } from '../helpers/faulty-proxy';

/** Which requests are which, in the GCS JSON API's URL scheme. */
const upload = (r: { method: string; url: string }) => r.method === 'POST' && r.url.startsWith('/upload/');
const download = (r: { method: string; url: string }) => r.method === 'GET' && r.url.includes('alt=media');
const metadata = (r: { method: string; url: string }) =>
  r.method === 'GET' && r.url.includes('/o/') && !r.url.includes('alt=media');
const listing = (r: { method: string; url: string }) => r.method === 'GET' && /\/o(\?|$)/.test(r.url);
const deletion = (r: { method: string; url: string }) => r.method === 'DELETE';

const UPLOADS = ['POST', '/upload/'] as const;

describeWithFakeGcs('GcsStore retries on fake-gcs-server behind a faulty proxy', (gcs) => {
  let proxy: FaultyProxy;
  let store: GcsStore;
  let direct: GcsStore;
  beforeAll(async () => {
    proxy = await startFaultyProxy(gcs().url);
  });
  afterAll(() => proxy.stop());
  beforeEach(async () => {
    proxy.reset();
    const bucket = await gcs().createBucket();
    direct = gcs().store(bucket);
    store = new GcsStore({
      bucket,
      apiEndpoint: proxy.url,
      retry: { attempts: 4, initialDelayMs: 5, maxDelayMs: 20 },
      stallTimeoutMs: 500,
      requestTimeoutMs: 1000,
    });
  });

  it('retries reads through 503, 429 and a dropped connection', async () => {
    await direct.write('a.txt', 'hello');
    proxy.inject(download, { status: 503 }, { status: 429 }, 'reset');
    expect((await store.read('a.txt')).toString()).toBe('hello');
    expect(proxy.count('GET', 'alt=media')).toBe(4);
  });

  it('retries stat, list, delete and streamed reads', async () => {
    await direct.write('dir/a.txt', 'hello');
    proxy.inject(metadata, { status: 502 });
    expect((await store.stat('dir/a.txt'))!.size).toBe(5);
    proxy.inject(listing, { status: 500 }, 'reset');
    expect((await store.list({ prefix: 'dir/' })).objects.map((o) => o.key)).toEqual(['dir/a.txt']);
    proxy.inject(download, { status: 503 });
    const stream = await store.readStream('dir/a.txt');
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    proxy.inject(deletion, { status: 503 }, 'reset');
    await store.delete('dir/a.txt');
    expect(await direct.stat('dir/a.txt')).toBeUndefined();
    expect(proxy.seen.filter((s) => s.fault).length).toBe(6);
  });

  it('gives up with Unavailable once every try has failed', async () => {
    await direct.write('a.txt', 'hello');
    proxy.inject(download, ...Array.from({ length: 10 }, () => ({ status: 503 })));
    await expect(store.read('a.txt')).rejects.toBeInstanceOf(Unavailable);
    expect(proxy.count('GET', 'alt=media')).toBe(4);
    await expect(store.readStream('a.txt')).rejects.toBeInstanceOf(Unavailable);
  });

  it('errors a stream whose body is cut short, and retries a whole read that was', async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    await direct.write('big.bin', body);
    for (const range of [undefined, { start: 0, end: body.length - 1 }]) {
      proxy.inject(download, 'truncate');
      const stream = await store.readStream('big.bin', range);
      const drained = (async () => {
        let n = 0;
        for await (const c of stream) n += (c as Buffer).length;
        return n;
      })();
      await expect(drained).rejects.toBeInstanceOf(Unavailable);
    }
    proxy.inject(download, 'truncate');
    expect((await store.read('big.bin')).equals(body)).toBe(true);
    expect(proxy.count('GET', 'alt=media')).toBe(4);
  });

  it('retries a metadata call, a listing and a conditional write whose answer is cut off mid-body', async () => {
    // The connection drops after half the answer: without a timeout these would never settle.
    await direct.write('dir/a.txt', 'hello');
    proxy.inject(metadata, 'truncate');
    expect((await store.stat('dir/a.txt'))!.size).toBe(5);
    proxy.inject(listing, 'truncate');
    expect((await store.list({ prefix: 'dir/' })).objects.map((o) => o.key)).toEqual(['dir/a.txt']);
    // The cut-off upload was applied: the retry meets its own object.
    proxy.inject(upload, 'truncate');
    const info = await store.write('dir/b.txt', 'mine', { ifGenerationMatch: 0 });
    expect(info.generation).toBe((await direct.stat('dir/b.txt'))!.generation);
    expect(proxy.count(...UPLOADS)).toBe(2);
    expect(proxy.seen.filter((s) => s.fault === 'truncate')).toHaveLength(3);
  });

  it('retries a long listing whose chunked answer is cut off (a premature close)', async () => {
    // Enough objects that the emulator streams the listing chunked, without a Content-Length.
    const keys = Array.from({ length: 40 }, (_, i) => `many/${String(i).padStart(3, '0')}.txt`);
    for (const k of keys) await direct.write(k, 'x');
    proxy.inject(listing, 'truncate');
    expect((await store.list({ prefix: 'many/' })).objects.map((o) => o.key)).toEqual(keys);
    expect(proxy.seen.filter((s) => s.fault === 'truncate')).toHaveLength(1);
  });

  it('reports an unconditional write whose answer is cut off as Unavailable, not a hang', async () => {
    proxy.inject(upload, 'truncate');
    await expect(store.write('plain.txt', 'x')).rejects.toBeInstanceOf(Unavailable);
    expect(proxy.count(...UPLOADS)).toBe(1);
  });

  it('does not retry what is not transient: a missing object is one request', async () => {
    await expect(store.read('missing.txt')).rejects.toBeInstanceOf(NotFound);
    expect(proxy.count('GET', 'alt=media')).toBe(1);
  });

  it('does not retry an unconditional write: Unavailable after one try, nothing written', async () => {
    proxy.inject(upload, { status: 503 });
    await expect(store.write('plain.txt', 'x')).rejects.toBeInstanceOf(Unavailable);
    expect(proxy.count(...UPLOADS)).toBe(1);
    expect(await direct.stat('plain.txt')).toBeUndefined();
  });

  it('retries create-only and compare-and-swap writes', async () => {
    proxy.inject(upload, { status: 503 }, 'reset');
    const created = await store.write('cond.txt', 'one', { ifGenerationMatch: 0 });
    expect(proxy.count(...UPLOADS)).toBe(3);
    proxy.inject(upload, { status: 429 });
    const swapped = await store.write('cond.txt', 'two', { ifGenerationMatch: created.generation });
    expect((await direct.read('cond.txt')).toString()).toBe('two');
    expect((await direct.stat('cond.txt'))!.generation).toBe(swapped.generation);
  });

  it('takes a create-only write whose answer was lost as done, not as a conflict', async () => {
    proxy.inject(upload, 'lose-response');
    const info = await store.write('lost.txt', 'mine', { ifGenerationMatch: 0 });
    // The first try was applied; the retry met its own object and failed the precondition.
    expect(proxy.count(...UPLOADS)).toBe(2);
    expect((await direct.read('lost.txt')).toString()).toBe('mine');
    expect(info.generation).toBe((await direct.stat('lost.txt'))!.generation);
  });

  it('takes a compare-and-swap whose answer was lost as done', async () => {
    const base = await direct.write('cas.txt', 'base');
    proxy.inject(upload, 'lose-response');
    const info = await store.write('cas.txt', 'next', { ifGenerationMatch: base.generation });
    expect((await direct.read('cas.txt')).toString()).toBe('next');
    expect(info.generation).toBe((await direct.stat('cas.txt'))!.generation);
  });

  it('still reports a real conflict after a retry', async () => {
    await direct.write('taken.txt', 'theirs');
    proxy.inject(upload, { status: 503 });
    await expect(store.write('taken.txt', 'mine', { ifGenerationMatch: 0 })).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    expect(proxy.count(...UPLOADS)).toBe(2);
    expect((await direct.read('taken.txt')).toString()).toBe('theirs');
  });
});
