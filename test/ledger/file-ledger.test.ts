import { FileStore, LOCAL_BUCKET } from '@fts/shared/node';
import { tempDir } from '../helpers/tmp';
import { describeLedger } from './ledger-suite';

describeLedger('the file backend', async () => {
  const { dir, cleanup } = await tempDir('fts-ledger-');
  return { open: () => new FileStore(dir, LOCAL_BUCKET), cleanup };
});
