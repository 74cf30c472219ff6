import { Conflict, PreconditionFailed } from '../../errors';
import type { ManifestFile, Manifest } from '../../run';
import { listAll, type ObjectStore } from '../storage/store';
import { manifestKey, runFileKey, runPrefix } from './layout';
import { forEachLimit } from './pool';

/** A file to put into a run, read only when it has to be sent. */
export interface RunUploadFile extends ManifestFile {
  read(): Promise<Buffer>;
}

export interface RunUpload {
  runId: string;
  files: RunUploadFile[];
  skipped: { path: string; reason: string }[];
  itemCount: number;
  model?: string;
  prompt?: string;
  uploadedBy?: string;
}

export interface PublishOptions {
  /** Replace a run that already exists (its manifest is removed first, so it is never half-visible). */
  replace?: boolean;
  /** Parallel writes; default 8. */
  concurrency?: number;
  /** Called once per file: `sent` or `unchanged` (already in the bucket with the same MD5). */
  onFile?: (file: ManifestFile, outcome: 'sent' | 'unchanged') => void;
  /** Clock for `createdAt`. */
  now?: () => Date;
}

export interface PublishResult {
  manifest: Manifest;
  sent: number;
  unchanged: number;
  removed: number;
}

/**
 * Put a run into the bucket: every file first, then `manifest.json`, so listing never shows a
 * half-uploaded run. A rerun after an interruption skips files already there unchanged. The
 * manifest is written create-only, so of two uploads racing for one new run ID, one fails.
 */
export async function publishRun(
  store: ObjectStore,
  upload: RunUpload,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const { runId } = upload;
  const mKey = manifestKey(runId);
  const existing = await store.stat(mKey);
  if (existing && !options.replace) {
    throw new Conflict(`run ${runId} already exists; ask for replacement explicitly to overwrite it`);
  }
  if (existing) await store.delete(mKey);

  const present = new Map<string, string | undefined>();
  for await (const obj of listAll(store, { prefix: runPrefix(runId) })) {
    present.set(obj.key, obj.md5);
  }
  let sent = 0;
  let unchanged = 0;
  await forEachLimit(upload.files, options.concurrency ?? 8, async (file) => {
    const key = runFileKey(runId, file.path);
    if (present.has(key)) {
      let md5 = present.get(key);
      // Backends that do not keep MD5s (the file store) are compared by content.
      if (md5 === undefined) {
        const { createHash } = await import('node:crypto');
        md5 = createHash('md5')
          .update(await store.read(key))
          .digest('base64');
      }
      if (md5 === file.md5) {
        unchanged++;
        options.onFile?.(file, 'unchanged');
        return;
      }
    }
    await store.write(key, await file.read(), { contentType: 'application/json' });
    sent++;
    options.onFile?.(file, 'sent');
  });

  // Files left from a replaced run or an earlier, different attempt.
  const wanted = new Set(upload.files.map((f) => runFileKey(runId, f.path)));
  const stale = [...present.keys()].filter((k) => !wanted.has(k) && k !== mKey);
  await forEachLimit(stale, options.concurrency ?? 8, (k) => store.delete(k));

  const manifest: Manifest = {
    version: 1,
    runId,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    ...(upload.model ? { model: upload.model } : {}),
    ...(upload.prompt ? { prompt: upload.prompt } : {}),
    itemCount: upload.itemCount,
    files: upload.files.map(({ path, size, md5, kind }) => ({ path, size, md5, kind })),
    skipped: upload.skipped,
    ...(upload.uploadedBy ? { uploadedBy: upload.uploadedBy } : {}),
  };
  try {
    await store.write(mKey, JSON.stringify(manifest, null, 2), {
      contentType: 'application/json',
      ifGenerationMatch: 0,
    });
  } catch (e) {
    if (e instanceof PreconditionFailed)
      throw new Conflict(`run ${runId} was created by another upload at the same time`);
    throw e;
  }
  return { manifest, sent, unchanged, removed: stale.length };
}
