import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isRunDataFile, parseRunFile, RESERVED_FILES, type FileProblem, type RunFile } from '../../runfiles';

/** A run file found on disk, checked and ready to upload. */
export interface LocalRunFile {
  /** Path inside the run folder, `/`-separated. */
  path: string;
  absPath: string;
  size: number;
  /** MD5, base64, as GCS reports it. */
  md5: string;
  parsed: RunFile;
}

export interface FolderScan {
  dir: string;
  files: LocalRunFile[];
  problems: FileProblem[];
  /** Files that are not run data (videos, logs, `.DS_Store`), with why they are skipped. */
  skipped: FileProblem[];
  itemCount: number;
}

/** Largest run file read, so a stray multi-gigabyte file is reported, not loaded. */
export const MAX_RUN_FILE_BYTES = 64 * 1024 * 1024;

async function walk(dir: string, rel: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(dir, r, out);
    else out.push(r);
  }
}

/**
 * Read and check every file of a local run folder, at any depth. Nothing is uploaded here:
 * the caller decides what to do with the problems.
 */
export async function scanRunFolder(dir: string): Promise<FolderScan> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`${dir} is not a folder`);
  const all: string[] = [];
  await walk(dir, '', all);
  const scan: FolderScan = { dir, files: [], problems: [], skipped: [], itemCount: 0 };
  for (const rel of all) {
    const abs = path.join(dir, rel);
    if (!isRunDataFile(rel)) {
      scan.skipped.push({ path: rel, reason: 'not a .json or .jsonl file' });
      continue;
    }
    if (RESERVED_FILES.includes(rel)) {
      scan.skipped.push({ path: rel, reason: 'name reserved for the upload manifest' });
      continue;
    }
    let buf: Buffer;
    try {
      const fst = await fs.stat(abs);
      if (!fst.isFile()) {
        scan.skipped.push({ path: rel, reason: 'not a regular file' });
        continue;
      }
      if (fst.size > MAX_RUN_FILE_BYTES) {
        scan.problems.push({
          path: rel,
          reason: `too large (${fst.size} bytes; at most ${MAX_RUN_FILE_BYTES})`,
        });
        continue;
      }
      buf = await fs.readFile(abs);
    } catch (e) {
      scan.problems.push({ path: rel, reason: `unreadable: ${(e as Error).message}` });
      continue;
    }
    const { file, problems } = parseRunFile(rel, buf.toString('utf8'));
    scan.problems.push(...problems);
    if (!file) continue;
    scan.files.push({
      path: rel,
      absPath: abs,
      size: buf.length,
      md5: createHash('md5').update(buf).digest('base64'),
      parsed: file,
    });
    if (file.kind === 'items') scan.itemCount += file.items.length;
  }
  return scan;
}
