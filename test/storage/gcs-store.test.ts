import { createHash } from 'node:crypto';
import { NotFound } from '@fts/shared';
import { openStore } from '@fts/shared/node';
import { GcsStore } from '../../shared/src/node/storage/gcs-store';
import { describeWithFakeGcs } from '../helpers/fake-gcs';
import { runStoreContract } from './contract';

describeWithFakeGcs('GcsStore on fake-gcs-server', (gcs) => {
  runStoreContract('GcsStore', async () => ({
    store: await gcs().freshStore(),
    otherBucket: await gcs().createBucket(),
  }));

  runStoreContract('GcsStore under a prefix', async () => ({
    store: await gcs().freshStore({ prefix: 'team-a/scoring' }),
    otherBucket: await gcs().createBucket(),
  }));

  it('stats with the generation and MD5 that GCS keeps', async () => {
    const store = await gcs().freshStore();
    const written = await store.write('scores/scores.csv', 'a,b\n1,2\n');
    const info = await store.stat('scores/scores.csv');
    expect(info).toMatchObject({ generation: written.generation, md5: written.md5, size: 8 });
    expect(info!.generation).toMatch(/^[0-9]+$/);
    expect(info!.md5).toBe(createHash('md5').update('a,b\n1,2\n').digest('base64'));
    expect(info!.contentType).toBe('text/csv; charset=utf-8');
  });

  describe('prefixes', () => {
    it('puts every key under the prefix and hides what lies outside it', async () => {
      const bucket = await gcs().createBucket();
      const whole = gcs().store(bucket);
      const prefixed = gcs().store(bucket, { prefix: 'team-a/' });
      expect(prefixed.url).toBe(`gs://${bucket}/team-a/`);
      await prefixed.write('runs/r1/manifest.json', '{}');
      await whole.write('outside.json', 'x');
      await whole.write('team-ab/near-miss.json', 'x');
      expect((await whole.list()).objects.map((o) => o.key)).toEqual([
        'outside.json',
        'team-a/runs/r1/manifest.json',
        'team-ab/near-miss.json',
      ]);
      expect((await prefixed.list()).objects.map((o) => o.key)).toEqual(['runs/r1/manifest.json']);
      expect((await prefixed.list({ delimiter: '/' })).prefixes).toEqual(['runs/']);
      await expect(prefixed.read('outside.json')).rejects.toBeInstanceOf(NotFound);
    });
  });

  describe('openStore', () => {
    it('opens gs://BUCKET/PREFIX against STORAGE_EMULATOR_HOST', async () => {
      const bucket = await gcs().createBucket();
      const store = await openStore(`gs://${bucket}/pre/fix`, process.cwd(), gcs().env);
      expect(store).toBeInstanceOf(GcsStore);
      expect(store.url).toBe(`gs://${bucket}/pre/fix/`);
      await store.write('a.txt', 'via url');
      expect((await gcs().store(bucket).read('pre/fix/a.txt')).toString()).toBe('via url');
    });

    it('follows STORAGE_EMULATOR_HOST from the environment when given no endpoint', async () => {
      const bucket = await gcs().createBucket();
      const saved = process.env.STORAGE_EMULATOR_HOST;
      process.env.STORAGE_EMULATOR_HOST = gcs().url.replace('http://', '');
      try {
        const store = new GcsStore({ bucket });
        expect(store.url).toBe(`gs://${bucket}`);
        await store.write('env.txt', 'from env');
        expect((await gcs().store(bucket).read('env.txt')).toString()).toBe('from env');
      } finally {
        if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
        else process.env.STORAGE_EMULATOR_HOST = saved;
      }
    });

    it('accepts the emulator host with /storage/v1 or without a scheme', async () => {
      const bucket = await gcs().createBucket();
      const host = gcs().url.replace('http://', '');
      for (const emulator of [`${gcs().url}/storage/v1`, host]) {
        const store = await openStore(`gs://${bucket}`, process.cwd(), { STORAGE_EMULATOR_HOST: emulator });
        await store.write('k', emulator);
        expect((await store.read('k')).toString()).toBe(emulator);
      }
    });
  });
});
