import { FileStore, LOCAL_BUCKET, forEachLimit } from '@fts/shared/node';
import { tempDir } from '../helpers/tmp';

// `delete` removes folders it leaves empty; a write into that folder at the same moment, from
// another client of the same bucket, must still land (the score ledger does exactly this:
// compaction deletes the last pending submission while a new one is being recorded).
describe('FileStore writes racing deletes of the same folder', () => {
  it('creates every object while others in its folder are deleted', async () => {
    const { dir, cleanup } = await tempDir('fts-folders-');
    try {
      const writer = new FileStore(dir, LOCAL_BUCKET);
      const deleter = new FileStore(dir, LOCAL_BUCKET);
      const errors: unknown[] = [];
      await forEachLimit(
        Array.from({ length: 300 }, (_, i) => i),
        8,
        async (i) => {
          const key = `scores/pending/${i}.json`;
          await writer.write(key, '{}', { ifGenerationMatch: 0 }).catch((e: unknown) => errors.push(e));
          await deleter.delete(key);
        },
      );
      expect(errors).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
