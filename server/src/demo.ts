import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describeRun } from '@fts/shared';
import { publishRun, scanRunFolder, type ObjectStore, type RunUpload } from '@fts/shared/node';
import type { FolderScan } from '@fts/shared/node';

/** The repository's example runs and clips. */
export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');

/** Turn a scanned local folder into an upload (the CLI does the same). */
export function uploadFromScan(runId: string, scan: FolderScan, uploadedBy: string): RunUpload {
  const { model, prompt } = describeRun(scan.files.map((f) => f.parsed));
  return {
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
    uploadedBy,
  };
}

/**
 * Load the example runs, and put each example clip where the runs' items point (examples/
 * mirrors bucket keys: `examples/videos/…` is the key `videos/…`). Runs already there are kept.
 */
export async function loadDemo(store: ObjectStore, dir = EXAMPLES_DIR): Promise<string[]> {
  const runsDir = path.join(dir, 'runs');
  const names = (await fs.readdir(runsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const loaded: string[] = [];
  for (const name of names.sort()) {
    const scan = await scanRunFolder(path.join(runsDir, name));
    if (!(await store.stat(`inference_runs/${name}/manifest.json`))) {
      await publishRun(store, uploadFromScan(name, scan, 'demo'));
      loaded.push(name);
    }
    for (const file of scan.files) {
      if (file.parsed.kind !== 'items') continue;
      for (const item of file.parsed.items) {
        const target = item.ref.bucket ? store.bucket(item.ref.bucket) : store;
        const local = path.join(dir, ...item.ref.key.split('/'));
        if (await target.stat(item.ref.key)) continue;
        const clip = await fs.readFile(local).catch(() => undefined);
        if (clip) await target.write(item.ref.key, clip, { contentType: 'video/mp4' });
      }
    }
  }
  return loaded;
}
