import * as fs from 'node:fs/promises';
import { Conflict, Invalid, PreconditionFailed } from '../../errors';
import type { ManifestFile, Manifest } from '../../run';
import type { ObjectStore } from '../storage/store';
import { manifestKey, runFileKey, runPrefix } from './layout';
import { forEachLimit } from './pool';
import { withRetry, type RetryOptions } from './retry';
import { localPath, md5Base64, type RunFolderCheck } from './scan';

/** A file to put into a run, read only when it has to be sent. */
export interface RunUploadFile extends ManifestFile {
  /** The file's bytes; called once, just before the write, so only files in flight are in memory. */
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
  /** How transient storage errors are retried. */
  retry?: RetryOptions;
}

export interface PublishResult {
  manifest: Manifest;
  sent: number;
  unchanged: number;
  removed: number;
}

/** What `publishRun` would do, found without writing anything. */
export interface RunPlan {
  /** A complete run (one with a manifest) is already there. */
  exists: boolean;
  /** Files that would be written. */
  send: ManifestFile[];
  /** Files already there with the same content (left by an interrupted upload, or a replaced run). */
  unchanged: ManifestFile[];
  /** Objects under the run's prefix that the upload would delete. */
  stale: string[];
}

/** Turn a checked local folder into an upload whose files are read from disk when sent. */
export function runUploadFromFolder(runId: string, check: RunFolderCheck, uploadedBy?: string): RunUpload {
  return {
    runId,
    files: check.files.map((f) => ({ ...f, read: () => fs.readFile(localPath(check.dir, f.path)) })),
    skipped: check.skipped,
    itemCount: check.itemCount,
    ...(check.model ? { model: check.model } : {}),
    ...(check.prompt ? { prompt: check.prompt } : {}),
    ...(uploadedBy ? { uploadedBy } : {}),
  };
}

/** MD5 of each object under the run's prefix (undefined where the backend keeps none). */
async function presentObjects(
  store: ObjectStore,
  runId: string,
  retry?: RetryOptions,
): Promise<Map<string, string | undefined>> {
  const present = new Map<string, string | undefined>();
  const prefix = runPrefix(runId);
  let pageToken: string | undefined;
  do {
    const page = await withRetry(() => store.list({ prefix, ...(pageToken ? { pageToken } : {}) }), retry);
    for (const obj of page.objects) present.set(obj.key, obj.md5);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return present;
}

/** Whether the object at `key` already holds the file's content. */
async function isUnchanged(
  store: ObjectStore,
  key: string,
  file: ManifestFile,
  present: Map<string, string | undefined>,
  retry?: RetryOptions,
): Promise<boolean> {
  if (!present.has(key)) return false;
  const md5 = present.get(key);
  if (md5 !== undefined) return md5 === file.md5;
  // Backends that do not keep MD5s (the file store) are compared by content, sizes first.
  const info = await withRetry(() => store.stat(key), retry);
  if (!info || info.size !== file.size) return false;
  return md5Base64(await withRetry(() => store.read(key), retry)) === file.md5;
}

/** Find what `publishRun` would send, skip and delete, without writing. */
export async function planRun(
  store: ObjectStore,
  upload: RunUpload,
  options: Pick<PublishOptions, 'concurrency' | 'retry'> = {},
): Promise<RunPlan> {
  const { runId } = upload;
  const exists = !!(await withRetry(() => store.stat(manifestKey(runId)), options.retry));
  const present = await presentObjects(store, runId, options.retry);
  const same: boolean[] = new Array(upload.files.length);
  await forEachLimit(upload.files, options.concurrency ?? 8, async (file, i) => {
    same[i] = await isUnchanged(store, runFileKey(runId, file.path), file, present, options.retry);
  });
  const wanted = new Set(upload.files.map((f) => runFileKey(runId, f.path)));
  return {
    exists,
    send: upload.files.filter((_, i) => !same[i]),
    unchanged: upload.files.filter((_, i) => same[i]),
    stale: [...present.keys()].filter((k) => !wanted.has(k) && k !== manifestKey(runId)),
  };
}

/**
 * Put a run into the bucket: every file first (a bounded number at a time, transient failures
 * retried), then `manifest.json`, so listing never shows a half-uploaded run. A rerun after an
 * interruption skips files already there unchanged. The manifest is written create-only, so of
 * two uploads racing for one new run ID, one fails.
 */
export async function publishRun(
  store: ObjectStore,
  upload: RunUpload,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const { runId } = upload;
  const { retry } = options;
  const mKey = manifestKey(runId);
  const existing = await withRetry(() => store.stat(mKey), retry);
  if (existing && !options.replace) {
    throw new Conflict(`run ${runId} already exists; ask for replacement explicitly to overwrite it`);
  }
  if (existing) await withRetry(() => store.delete(mKey), retry);

  const present = await presentObjects(store, runId, retry);
  let sent = 0;
  let unchanged = 0;
  await forEachLimit(upload.files, options.concurrency ?? 8, async (file) => {
    const key = runFileKey(runId, file.path);
    if (await isUnchanged(store, key, file, present, retry)) {
      unchanged++;
      options.onFile?.(file, 'unchanged');
      return;
    }
    const body = await file.read();
    // The manifest records the checked MD5; a file edited since the check must not slip in.
    if (md5Base64(body) !== file.md5) {
      throw new Invalid(`${file.path} changed after it was checked; check and upload the run again`);
    }
    await withRetry(() => store.write(key, body, { contentType: 'application/json' }), retry);
    sent++;
    options.onFile?.(file, 'sent');
  });

  // Files left from a replaced run or an earlier, different attempt.
  const wanted = new Set(upload.files.map((f) => runFileKey(runId, f.path)));
  const stale = [...present.keys()].filter((k) => !wanted.has(k) && k !== mKey);
  await forEachLimit(stale, options.concurrency ?? 8, (k) => withRetry(() => store.delete(k), retry));

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
    // Not retried blindly: a create-only write that timed out may have landed.
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
