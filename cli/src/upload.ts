import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Conflict, RunIdSchema } from '@fts/shared';
import {
  checkRunFolder,
  localPath,
  manifestKey,
  planRun,
  publishRun,
  runUploadFromFolder,
  type ObjectStore,
  type RetryOptions,
  type RunFolderCheck,
  type RunUpload,
} from '@fts/shared/node';
import { CliFailure, UsageError } from './errors';
import type { ScoreServer } from './server';

/** A run folder, checked, with the run ID it will be uploaded as. */
export interface CheckedRun {
  runId: string;
  check: RunFolderCheck;
}

/** Check a run folder with the server's own rules; nothing is sent. The logic of `score-cli validate`. */
export async function checkRun(
  dir: string,
  options: { runId?: string; cwd?: string; concurrency?: number } = {},
): Promise<CheckedRun> {
  const abs = path.resolve(options.cwd ?? process.cwd(), dir);
  const st = await fs.stat(abs).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new UsageError(`${dir} is not a folder: give the run folder, e.g. output/run_20261115_101500`);
  }
  const runId = options.runId ?? path.basename(abs);
  if (!RunIdSchema.safeParse(runId).success) {
    throw new UsageError(
      `run ID "${runId}" is not valid (letters, digits, ".", "_" or "-", at most 128): pass --run-id`,
    );
  }
  const check = await checkRunFolder(abs, options.concurrency ? { concurrency: options.concurrency } : {});
  return { runId, check };
}

/**
 * Refuse a run that cannot be uploaded as it is: any problem (unless `skipInvalid`), or no item
 * at all. The messages say what to do next.
 */
export function assertUploadable({ check }: CheckedRun, dir: string, skipInvalid = false): void {
  const bad = check.problems.length;
  if (bad && !skipInvalid) {
    throw new CliFailure(
      `${bad} problem(s) in ${dir}; nothing was uploaded. Fix them and run again, or pass --skip-invalid ` +
        `to upload the ${check.files.length} valid file(s) without them.`,
    );
  }
  if (check.itemCount === 0) {
    throw new CliFailure(
      `no items in ${dir}: no JSON object names a video (video_uri, gcs_uri, video_path, …). ` +
        `Is this the run folder the pipeline wrote?`,
    );
  }
}

/** What an upload did, or would do in a dry run. */
export interface UploadOutcome {
  runId: string;
  /** Where the run went: a store URL or a server URL. */
  target: string;
  dryRun: boolean;
  itemCount: number;
  /** Files in the run. */
  files: number;
  /** Files written (a dry run: that would be written). */
  sent: number;
  /** Files already there with the same content. */
  unchanged: number;
  /** Whether a complete run with this ID already existed (unknown after a server upload). */
  existed?: boolean;
}

export interface StoreUploadOptions {
  replace?: boolean;
  dryRun?: boolean;
  concurrency?: number;
  uploadedBy?: string;
  onFile?: (path: string, outcome: 'sent' | 'unchanged') => void;
  retry?: RetryOptions;
}

/** The upload for a checked run: valid files only; problems are recorded as skipped. */
function runUpload(run: CheckedRun, uploadedBy?: string): RunUpload {
  const upload = runUploadFromFolder(run.runId, run.check, uploadedBy);
  return {
    ...upload,
    skipped: [
      ...upload.skipped,
      ...run.check.problems.map((p) => ({ ...p, reason: `invalid: ${p.reason}` })),
    ],
  };
}

function conflict(runId: string, where: string): CliFailure {
  return new CliFailure(
    `run ${runId} already exists in ${where}; nothing was uploaded. Pass --replace to overwrite it ` +
      `(scores already given are kept), or --run-id to upload it under another name.`,
  );
}

/** Upload a checked run straight into a store, the way the server does (manifest last). */
export async function uploadToStore(
  run: CheckedRun,
  store: ObjectStore,
  options: StoreUploadOptions = {},
): Promise<UploadOutcome> {
  const upload = runUpload(run, options.uploadedBy);
  const base = {
    runId: run.runId,
    target: store.url,
    itemCount: run.check.itemCount,
    files: upload.files.length,
  };
  const concurrency = options.concurrency ?? 16;
  if (options.dryRun) {
    const plan = await planRun(store, upload, { concurrency });
    if (plan.exists && !options.replace) throw conflict(run.runId, store.url);
    return {
      ...base,
      dryRun: true,
      sent: plan.send.length,
      unchanged: plan.unchanged.length,
      existed: plan.exists,
    };
  }
  const existed = !!(await store.stat(manifestKey(run.runId)));
  try {
    const result = await publishRun(store, upload, {
      concurrency,
      ...(options.replace ? { replace: true } : {}),
      ...(options.onFile ? { onFile: (f, o) => options.onFile?.(f.path, o) } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    return {
      ...base,
      dryRun: false,
      sent: result.sent,
      unchanged: result.unchanged,
      existed,
    };
  } catch (e) {
    if (e instanceof Conflict && !options.replace) throw conflict(run.runId, store.url);
    throw e;
  }
}

/** Upload a checked run through a server's `POST /runs`. */
export async function uploadToServer(
  run: CheckedRun,
  server: ScoreServer,
  options: { replace?: boolean; dryRun?: boolean } = {},
): Promise<UploadOutcome> {
  const base = {
    runId: run.runId,
    target: server.url,
    itemCount: run.check.itemCount,
    files: run.check.files.length,
  };
  if (options.dryRun) {
    const existed = (await server.listRuns()).some((r) => r.id === run.runId);
    if (existed && !options.replace) throw conflict(run.runId, server.url);
    return { ...base, dryRun: true, sent: base.files, unchanged: 0, existed };
  }
  const files = run.check.files.map((f) => ({ path: f.path, absPath: localPath(run.check.dir, f.path) }));
  const answer = await server.uploadRun(run.runId, files, { replace: !!options.replace }).catch((e) => {
    if (e instanceof Conflict) throw conflict(run.runId, server.url);
    throw e;
  });
  return {
    ...base,
    itemCount: answer.itemCount,
    dryRun: false,
    sent: base.files,
    unchanged: 0,
  };
}
