import * as path from 'node:path';
import * as fs from 'node:fs/promises';
import { describeRun, RunIdSchema, Invalid } from '@fts/shared';
import {
  publishRun,
  scanRunFolder,
  type FolderScan,
  type ObjectStore,
  type PublishResult,
} from '@fts/shared/node';

export interface UploadOptions {
  runId?: string;
  replace?: boolean;
  skipInvalid?: boolean;
  dryRun?: boolean;
  concurrency?: number;
  onFile?: (path: string, outcome: 'sent' | 'unchanged') => void;
}

export interface UploadReport {
  runId: string;
  scan: FolderScan;
  result?: PublishResult;
}

/** Check a folder and upload it as a run into `store`. The logic behind `score-cli upload`. */
export async function uploadRunFolder(
  dir: string,
  store: ObjectStore,
  options: UploadOptions = {},
): Promise<UploadReport> {
  const runId = options.runId ?? path.basename(path.resolve(dir));
  if (!RunIdSchema.safeParse(runId).success) {
    throw new Invalid(
      `run ID "${runId}" is not valid: use letters, digits, ".", "_" or "-" (or pass --run-id)`,
    );
  }
  const scan = await scanRunFolder(dir);
  if (scan.problems.length && !options.skipInvalid) return { runId, scan };
  if (scan.itemCount === 0) throw new Invalid(`${dir} has no items: no JSON file references a video`);
  if (options.dryRun) return { runId, scan };
  const { model, prompt } = describeRun(scan.files.map((f) => f.parsed));
  const result = await publishRun(
    store,
    {
      runId,
      files: scan.files.map((f) => ({
        path: f.path,
        size: f.size,
        md5: f.md5,
        kind: f.parsed.kind,
        read: () => fs.readFile(f.absPath),
      })),
      skipped: scan.skipped,
      itemCount: scan.itemCount,
      ...(model ? { model } : {}),
      ...(prompt ? { prompt } : {}),
      uploadedBy: 'score-cli',
    },
    {
      ...(options.replace ? { replace: true } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.onFile ? { onFile: (f, o) => options.onFile?.(f.path, o) } : {}),
    },
  );
  return { runId, scan, result };
}
