import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ManifestFile } from '../../run';
import {
  describeRun,
  duplicateItemIds,
  isRunDataFile,
  parseRunFile,
  RESERVED_FILES,
  type FileProblem,
  type RunFile,
} from '../../runfiles';
import { forEachLimit } from './pool';

/** One run file, checked: what goes into the manifest, plus what the check learnt. */
export interface CheckedRunFile extends ManifestFile {
  /** Items in the file (0 for metadata and the rubric). */
  itemCount: number;
  /** Model and prompt named by the file's records, if any (see `describeRun`). */
  model?: string;
  prompt?: string;
}

/** The result of checking a local run folder. Holds no file content, whatever the folder's size. */
export interface RunFolderCheck {
  dir: string;
  /** Files that passed the check, in path order (read again from `dir` when sent). */
  files: ManifestFile[];
  /** Every problem found, with the file (and line, for JSONL) and why. */
  problems: FileProblem[];
  /** Files that are not run data (videos, logs, `.DS_Store`), with why they are skipped. */
  skipped: FileProblem[];
  itemCount: number;
  /** First model and prompt named by the run's files, in path order. */
  model?: string;
  prompt?: string;
}

export interface CheckOptions {
  /** Files read at once; default 8. */
  concurrency?: number;
  /** Called after each run data file is checked. */
  onFile?: (path: string, checked: number, total: number) => void;
}

/** Largest run file read, so a stray multi-gigabyte file is reported, not loaded. */
export const MAX_RUN_FILE_BYTES = 64 * 1024 * 1024;

/** MD5 of some bytes, base64, as GCS reports it (JSON API `md5Hash`). */
export function md5Base64(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

/**
 * Check one run file's content with the same rules everywhere (CLI and server): what it holds,
 * how many items, and every problem. The parsed records are not kept.
 */
export function checkRunFile(
  relPath: string,
  content: Buffer,
): { file?: CheckedRunFile; parsed?: RunFile; problems: FileProblem[] } {
  const { file, problems } = parseRunFile(relPath, content.toString('utf8'));
  if (!file) return { problems };
  const { model, prompt } = describeRun([file]);
  return {
    file: {
      path: relPath,
      size: content.length,
      md5: md5Base64(content),
      kind: file.kind,
      itemCount: file.kind === 'items' ? file.items.length : 0,
      ...(model ? { model } : {}),
      ...(prompt ? { prompt } : {}),
    },
    parsed: file,
    problems,
  };
}

/** Where a run file (a `/`-separated path inside the run) is on disk. */
export function localPath(dir: string, relPath: string): string {
  return path.join(dir, ...relPath.split('/'));
}

/** Why a file in a run folder is not run data, or undefined if it is. */
function skipReason(rel: string): string | undefined {
  const name = rel.split('/').pop() ?? rel;
  // macOS writes "._name" resource forks next to files copied to other disks; not JSON.
  if (name.startsWith('._')) return 'macOS resource fork';
  if (!isRunDataFile(rel)) return 'not a .json or .jsonl file';
  if (RESERVED_FILES.includes(rel)) return 'name reserved for the upload manifest';
  return undefined;
}

async function walk(dir: string, rel: string, files: string[], problems: FileProblem[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  } catch (e) {
    problems.push({ path: rel || '.', reason: `unreadable folder: ${(e as Error).message}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(dir, r, files, problems);
    else files.push(r);
  }
}

/** An item's id and where it came from: all that is kept of it, to find ids given twice. */
type ItemRef = { id: string; source: string };

type Outcome =
  | { file: CheckedRunFile; items: ItemRef[]; problems: FileProblem[] }
  | { problems: FileProblem[] }
  | { skipped: string };

async function checkLocalFile(dir: string, rel: string): Promise<Outcome> {
  const abs = localPath(dir, rel);
  let buf: Buffer;
  try {
    const st = await fs.stat(abs);
    if (!st.isFile()) return { skipped: 'not a regular file' };
    if (st.size > MAX_RUN_FILE_BYTES) {
      return {
        problems: [{ path: rel, reason: `too large (${st.size} bytes; at most ${MAX_RUN_FILE_BYTES})` }],
      };
    }
    buf = await fs.readFile(abs);
  } catch (e) {
    return { problems: [{ path: rel, reason: `unreadable: ${(e as Error).message}` }] };
  }
  const { file, parsed, problems } = checkRunFile(rel, buf);
  if (!file) return { problems };
  const items = parsed?.kind === 'items' ? parsed.items.map(({ id, source }) => ({ id, source })) : [];
  return { file, items, problems };
}

/**
 * Read and check every file of a local run folder, at any depth, a few at a time. Nothing is
 * uploaded here: the caller decides what to do with the problems. Only a small summary of
 * each file is kept, so memory does not grow with the size of the items.
 */
export async function checkRunFolder(dir: string, options: CheckOptions = {}): Promise<RunFolderCheck> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`${dir} is not a folder`);
  const all: string[] = [];
  const walkProblems: FileProblem[] = [];
  await walk(dir, '', all, walkProblems);
  const skipped: FileProblem[] = [];
  const data: string[] = [];
  for (const rel of all) {
    const reason = skipReason(rel);
    if (reason) skipped.push({ path: rel, reason });
    else data.push(rel);
  }
  // Per file only what the manifest needs is kept; model and prompt come from the first file
  // (in path order) that names them.
  const files: (ManifestFile | undefined)[] = new Array(data.length);
  const problems: FileProblem[][] = new Array(data.length);
  const items: ItemRef[][] = new Array(data.length);
  let first: { model?: [number, string]; prompt?: [number, string] } = {};
  let itemCount = 0;
  let checked = 0;
  await forEachLimit(data, options.concurrency ?? 8, async (rel, i) => {
    const o = await checkLocalFile(dir, rel);
    if ('skipped' in o) skipped.push({ path: rel, reason: o.skipped });
    else {
      if (o.problems.length) problems[i] = o.problems;
      if ('file' in o) {
        const { path: p, size, md5, kind, model, prompt } = o.file;
        files[i] = { path: p, size, md5, kind };
        items[i] = o.items;
        itemCount += o.file.itemCount;
        if (model && (!first.model || first.model[0] > i)) first = { ...first, model: [i, model] };
        if (prompt && (!first.prompt || first.prompt[0] > i)) first = { ...first, prompt: [i, prompt] };
      }
    }
    options.onFile?.(rel, ++checked, data.length);
  });
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // In path order, so the record named as clashing is always the later one; its file is left
  // out of the valid files, like any other file with a problem (`--skip-invalid` uploads those).
  const taken = new Map<string, string>();
  const clashes: FileProblem[] = [];
  items.forEach((refs, i) => {
    const found = duplicateItemIds(refs, taken);
    if (found.length === 0) for (const r of refs) taken.set(r.id, r.source);
    else {
      clashes.push(...found);
      itemCount -= refs.length;
      files[i] = undefined;
    }
  });
  return {
    dir,
    files: files.filter((f): f is ManifestFile => f !== undefined),
    problems: [...walkProblems, ...problems.filter(Boolean).flat(), ...clashes],
    skipped,
    itemCount,
    ...(first.model ? { model: first.model[1] } : {}),
    ...(first.prompt ? { prompt: first.prompt[1] } : {}),
  };
}

/** A run file found on disk, with its parsed content. */
export interface LocalRunFile extends ManifestFile {
  absPath: string;
  parsed: RunFile;
}

/** A checked folder with every file's parsed content. */
export interface FolderScan extends RunFolderCheck {
  files: LocalRunFile[];
}

/**
 * `checkRunFolder`, keeping every file's parsed content in memory: for small folders such as
 * the demo runs, whose items are needed after the check. Uploads use `checkRunFolder`.
 */
export async function scanRunFolder(dir: string): Promise<FolderScan> {
  const check = await checkRunFolder(dir);
  const files: LocalRunFile[] = [];
  for (const f of check.files) {
    const absPath = localPath(dir, f.path);
    const { parsed } = checkRunFile(f.path, await fs.readFile(absPath));
    if (parsed) files.push({ ...f, absPath, parsed });
  }
  return { ...check, files };
}
