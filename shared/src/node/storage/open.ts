import { Invalid } from '../../errors';
import { FileStore } from './file-store';
import type { ObjectStore } from './store';

/** Bucket used by `file://` stores for the app's own objects (runs, scores). */
export const LOCAL_BUCKET = 'local';

/**
 * Open the store a `STORAGE_URL` names: `file://PATH` (the embedded backend; relative paths
 * are resolved against `cwd`) or `gs://BUCKET[/PREFIX]` (Google Cloud Storage with Application
 * Default Credentials; `STORAGE_EMULATOR_HOST` in `env` points it at an emulator instead).
 * The GCS client is loaded only when a `gs://` URL is opened.
 */
export async function openStore(
  url: string,
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ObjectStore> {
  if (url.startsWith('file://')) {
    const p = url.slice('file://'.length);
    if (!p) throw new Invalid(`STORAGE_URL ${url}: a path is required after file://`);
    const { resolve } = await import('node:path');
    return new FileStore(resolve(cwd, p), LOCAL_BUCKET);
  }
  if (url.startsWith('gs://')) {
    const rest = url.slice('gs://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1);
    if (!bucket) throw new Invalid(`STORAGE_URL ${url}: a bucket is required after gs://`);
    const emulator = env.STORAGE_EMULATOR_HOST;
    // require, not import(): a compiled CommonJS file would hand import() to the ESM loader.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GcsStore } = require('./gcs-store') as typeof import('./gcs-store');
    return new GcsStore({ bucket, prefix, ...(emulator ? { apiEndpoint: emulator } : {}) });
  }
  throw new Invalid(`STORAGE_URL ${url}: must start with file:// or gs://`);
}
