import { listAll } from '@fts/shared/node';
import { describeWithFakeGcs } from '../helpers/fake-gcs';
import { describeLedger } from './ledger-suite';

describeWithFakeGcs('the ledger on fake-gcs-server', (gcs) => {
  describeLedger('GCS (fake-gcs-server)', async () => {
    const bucket = await gcs().createBucket();
    return {
      // A client of its own per instance: instances share nothing but the bucket.
      open: () => gcs().store(bucket),
      async cleanup() {
        const store = gcs().store(bucket);
        for await (const o of listAll(store)) await store.delete(o.key);
        await fetch(`${gcs().url}/storage/v1/b/${bucket}`, { method: 'DELETE' });
      },
    };
  });
});
