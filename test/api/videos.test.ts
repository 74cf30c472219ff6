import * as fs from 'node:fs/promises';
import request from 'supertest';
import { LOCAL_BUCKET, type FileStore } from '@fts/shared/node';
import { testApp } from '../helpers/app';
import { demoStore, publishFiles, SigningStore, VIDEO_FILE, VIDEO_URL } from './fixture';

let store: FileStore;
let cleanup: () => Promise<void>;
let clip: Buffer;

beforeAll(async () => {
  ({ store, cleanup } = await demoStore());
  clip = await fs.readFile(VIDEO_FILE);
  // Things in the buckets that no run references, and that must never be served.
  await store.bucket('buildai-dataset').write('videos/line3/cam01/unlisted.mp4', clip);
  await store.bucket('buildai-dataset').write('private/secret.mp4', clip);
  await store.write('scores/scores.csv', 'submission_id\r\n');
});
afterAll(() => cleanup());

/** The body of a response as bytes, whatever its type. */
function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('GET /videos on the file backend', () => {
  it('streams the whole video with its type and Accept-Ranges', async () => {
    const res = await request(testApp(store)).get(VIDEO_URL).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(Number(res.headers['content-length'])).toBe(clip.length);
    expect(Buffer.compare(res.body as Buffer, clip)).toBe(0);
  });

  it('answers a byte range with 206 and Content-Range (RFC 7233)', async () => {
    const res = await request(testApp(store))
      .get(VIDEO_URL)
      .set('Range', 'bytes=100-199')
      .buffer(true)
      .parse(binary)
      .expect(206);
    expect(res.headers['content-range']).toBe(`bytes 100-199/${clip.length}`);
    expect(res.headers['content-length']).toBe('100');
    expect(Buffer.compare(res.body as Buffer, clip.subarray(100, 200))).toBe(0);
    const tail = await request(testApp(store))
      .get(VIDEO_URL)
      .set('Range', 'bytes=-10')
      .buffer(true)
      .parse(binary)
      .expect(206);
    expect(Buffer.compare(tail.body as Buffer, clip.subarray(clip.length - 10))).toBe(0);
  });

  it('answers a range outside the video with 416 and bytes */size', async () => {
    const res = await request(testApp(store))
      .get(VIDEO_URL)
      .set('Range', `bytes=${clip.length + 5}-`)
      .expect(416);
    expect(res.headers['content-range']).toBe(`bytes */${clip.length}`);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toBe('range_not_satisfiable');
  });

  // RFC 7233: a range in a unit the server does not know is ignored (§3.1), several ranges
  // may be answered with the whole body, and a suffix of 0 bytes or a first byte past the end
  // is unsatisfiable (§2.1, §4.4).
  it.each<[string, number, string | undefined, number]>([
    ['items=0-1', 200, undefined, -1],
    ['items=999999999-', 200, undefined, -1],
    ['bytes=0-0', 206, 'bytes 0-0/SIZE', 1],
    ['bytes=0-1,5-6', 200, undefined, -1],
    ['bytes=0-99999999999999999999', 206, 'bytes 0-LAST/SIZE', -1],
    ['bytes=-0', 416, 'bytes */SIZE', 0],
    ['bytes=99999999999999999999-', 416, 'bytes */SIZE', 0],
    ['bytes=5-2', 416, 'bytes */SIZE', 0],
    ['bytes=abc', 200, undefined, -1],
  ])('Range %s: %i', async (range, status, contentRange, length) => {
    const res = await request(testApp(store)).get(VIDEO_URL).set('Range', range).buffer(true).parse(binary);
    expect(res.status).toBe(status);
    const sub = (s: string) =>
      s.replace('SIZE', String(clip.length)).replace('LAST', String(clip.length - 1));
    expect(res.headers['content-range']).toBe(contentRange === undefined ? undefined : sub(contentRange));
    if (status !== 416) {
      const want = length === -1 ? clip.length : length;
      expect((res.body as Buffer).length).toBe(want);
      expect(Number(res.headers['content-length'])).toBe(want);
    }
  });

  it('serves videos whose keys hold %, #, ?, spaces and non-ASCII, at the URL the items give', async () => {
    const keys = ['videos/odd/100% done.mp4', 'videos/odd/take #2?.mp4', 'videos/odd/çà 好.mp4'];
    const files: Record<string, string> = {};
    for (const [i, key] of keys.entries()) {
      await store.write(key, clip);
      files[`item${i}.json`] = JSON.stringify({ video_uri: key, output: 'x' });
    }
    await publishFiles(store, 'run_odd_video_keys', files);
    const app = testApp(store);
    const items = await request(app).get('/runs/run_odd_video_keys/items').expect(200);
    expect(items.body).toHaveLength(keys.length);
    for (const it of items.body as { videoUrl: string }[]) {
      const res = await request(app).get(it.videoUrl).set('Range', 'bytes=0-9').buffer(true).parse(binary);
      expect({ url: it.videoUrl, status: res.status }).toEqual({ url: it.videoUrl, status: 206 });
    }
    // A key no run names is still 404, encoded or not.
    await request(app).get('/videos/local/videos/odd/100%25%20done2.mp4').expect(404);
    await request(app).get('/videos/local/videos/odd/100%2525%20done.mp4').expect(404);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await request(testApp(store)).head(VIDEO_URL).expect(200);
    expect(Number(res.headers['content-length'])).toBe(clip.length);
    expect(res.headers['content-type']).toBe('video/mp4');
  });

  it('serves a bucket-relative video from the app bucket', async () => {
    await request(testApp(store))
      .get(`/videos/${LOCAL_BUCKET}/videos/line3/cam02/line3_cam02_clip0112.mp4`)
      .set('Range', 'bytes=0-9')
      .expect(206);
  });

  it('says "video not found" for a referenced video missing from the bucket', async () => {
    const res = await request(testApp(store))
      .get('/videos/buildai-dataset/videos/line3/cam01/line3_cam01_clip0050.mp4')
      .expect(404);
    expect(res.body.message).toMatch(/video not found/);
  });

  it('serves unreferenced videos only under a configured prefix', async () => {
    const path = '/videos/buildai-dataset/videos/line3/cam01/unlisted.mp4';
    await request(testApp(store)).get(path).expect(404);
    const open = testApp(store, undefined, { VIDEO_PREFIXES: 'gs://buildai-dataset/videos/' });
    await request(open).get(path).set('Range', 'bytes=0-0').expect(206);
    await request(open).get('/videos/buildai-dataset/private/secret.mp4').expect(404);
  });
});

describe('GET /videos on a store that signs (Google Cloud Storage)', () => {
  it('redirects to a signed URL with the configured TTL, reused for half its life', async () => {
    let now = Date.parse('2026-11-15T10:00:00Z');
    const signing = new SigningStore(store);
    const app = testApp(signing, () => new Date(now), { SIGNED_URL_TTL_SECONDS: '600' });

    const first = await request(app).get(VIDEO_URL).expect(302);
    expect(first.headers.location).toBe(
      'https://storage.googleapis.com/buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4?X-Goog-Expires=600&n=1',
    );
    expect(first.headers['cache-control']).toBe('private, max-age=300');
    expect(signing.signed).toEqual([
      { bucket: 'buildai-dataset', key: 'videos/line3/cam01/line3_cam01_clip0047.mp4', ttl: 600 },
    ]);

    now += 299_000; // still in the first half of the URL's life
    const again = await request(app).get(VIDEO_URL).expect(302);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['cache-control']).toBe('private, max-age=1');
    expect(signing.signed).toHaveLength(1);

    now += 2_000; // past half: a fresh URL
    const fresh = await request(app).get(VIDEO_URL).expect(302);
    expect(fresh.headers.location).toMatch(/&n=2$/);
    expect(signing.signed).toHaveLength(2);
  });

  it('caches per key: another video gets its own URL', async () => {
    const signing = new SigningStore(store);
    const app = testApp(signing);
    await request(app).get(VIDEO_URL).expect(302);
    const other = await request(app)
      .get('/videos/buildai-dataset/videos/packing/cam04/packing_cam04_clip0008.mp4')
      .expect(302);
    expect(other.headers.location).toContain('packing_cam04_clip0008.mp4');
    expect(signing.signed.map((s) => s.key)).toEqual([
      'videos/line3/cam01/line3_cam01_clip0047.mp4',
      'videos/packing/cam04/packing_cam04_clip0008.mp4',
    ]);
  });

  it.each([
    ['scores.csv', `/videos/${LOCAL_BUCKET}/scores/scores.csv`],
    ['a run manifest', `/videos/${LOCAL_BUCKET}/inference_runs/run_20261115_101500/manifest.json`],
    ['an unreferenced video', '/videos/buildai-dataset/videos/line3/cam01/unlisted.mp4'],
    ['traversal', '/videos/buildai-dataset/videos/line3/../../private/secret.mp4'],
    ['encoded traversal', '/videos/buildai-dataset/videos/%2e%2e/private/secret.mp4'],
    ['encoded slash', '/videos/buildai-dataset/videos%2F..%2Fprivate/secret.mp4'],
    ['double encoding', '/videos/buildai-dataset/videos/%252e%252e/private/secret.mp4'],
    ['a backslash', '/videos/buildai-dataset/videos%5C..%5Cprivate%5Csecret.mp4'],
    ['a NUL byte', '/videos/buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4%00'],
    ['a bad bucket name', '/videos/..%2Flocal/scores/scores.csv'],
    ['bad percent-encoding', '/videos/buildai-dataset/videos/%E0%A4%A.mp4'],
  ])('never signs %s: 404, JSON', async (_what, url) => {
    const signing = new SigningStore(store);
    const app = testApp(signing, undefined, { VIDEO_PREFIXES: 'gs://buildai-dataset/videos/packing/' });
    const res = await request(app).get(url);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toBe('not_found');
    expect(res.headers.location).toBeUndefined();
    expect(signing.signed).toEqual([]);
  });
});
