import { createHash } from 'node:crypto';
import request from 'supertest';
import { publishRun } from '@fts/shared/node';
import { describeWithFakeGcs } from '../helpers/fake-gcs';
import { testApp } from '../helpers/app';

// Against an emulator there is no key to sign URLs with: the server streams videos itself,
// with Range, instead of answering 500 (what a new user running on fake-gcs-server saw).
describeWithFakeGcs('videos on the GCS backend without signing', (gcs) => {
  it('streams a referenced video with Range, and still refuses an unreferenced one', async () => {
    const store = await gcs().freshStore();
    const clip = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    await store.write('videos/a.mp4', clip, { contentType: 'video/mp4' });
    await store.write('videos/b.mp4', clip, { contentType: 'video/mp4' });
    const item = Buffer.from(JSON.stringify({ video_path: 'videos/a.mp4', output: { ok: true } }));
    await publishRun(store, {
      runId: 'run_gcs_video',
      files: [
        {
          path: 'a.json',
          size: item.length,
          md5: createHash('md5').update(item).digest('base64'),
          kind: 'items',
          read: async () => item,
        },
      ],
      skipped: [],
      itemCount: 1,
    });
    const app = testApp(store);
    const url = `/videos/${store.bucketName}/videos/a.mp4`;
    const res = await request(app)
      .get(url)
      .set('Range', 'bytes=10-19')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(206);
    expect(res.headers['content-range']).toBe(`bytes 10-19/${clip.length}`);
    expect(Buffer.compare(res.body as Buffer, clip.subarray(10, 20))).toBe(0);
    await request(app).get(`/videos/${store.bucketName}/videos/b.mp4`).expect(404);
  });
});
