import { Invalid } from '../../errors';
import { FileStore } from './file-store';
import type { ObjectStore } from './store';

/** Bucket used by `file://` stores for the app's own objects (runs, scores). */
export const LOCAL_BUCKET = 'local';

/**
 * Open the store a `STORAGE_URL` names: `file://PATH` (the embedded backend; relative paths
 * are resolved against `cwd`) or `gs://BUCKET[/PREFIX]` (Google Cloud Storage).
 */
export async function openStore(url: string, cwd = process.cwd()): Promise<ObjectStore> {
  if (url.startsWith('file://')) {
    const p = url.slice('file://'.length);
    if (!p) throw new Invalid(`STORAGE_URL ${url}: a path is required after file://`);
    const { resolve } = await import('node:path');
    return new FileStore(resolve(cwd, p), LOCAL_BUCKET);
  }
  if (url.startsWith('gs://')) {
    throw new Invalid(`STORAGE_URL ${url}: the Google Cloud Storage backend is not available in this build`);
  }
  throw new Invalid(`STORAGE_URL ${url}: must start with file:// or gs://`);
}
