import { RubricSchema, type Rubric } from './rubric';
import {
  extractModelOutput,
  explainBadVideoRef,
  findVideoRef,
  videoFieldOf,
  isPlainObject,
  itemIdFromPath,
  type ModelOutput,
  type VideoRef,
} from './detect';

/** One item found in a run file, before it is tied to a bucket. */
export interface ParsedItem {
  id: string;
  /** `path` or `path:line` for JSONL. */
  source: string;
  ref: VideoRef;
  model: ModelOutput;
  record: Record<string, unknown>;
}

/** A problem with a run file that stops it from being uploaded as it is. */
export interface FileProblem {
  path: string;
  reason: string;
}

export type RunFile =
  | { kind: 'items'; path: string; items: ParsedItem[] }
  | { kind: 'metadata'; path: string; data: unknown }
  | { kind: 'rubric'; path: string; rubric: Rubric };

/** Names the uploader reserves inside a run folder. */
export const RESERVED_FILES = ['manifest.json'];
export const RUBRIC_FILE = 'rubric.json';

/** Whether a path names a file the run format reads (`.json` / `.jsonl`). */
export function isRunDataFile(path: string): boolean {
  return /\.(json|jsonl)$/i.test(path);
}

/** Whether a record looks like an inference result (so a missing video is a problem). */
function looksLikeResult(record: Record<string, unknown>): boolean {
  return (
    ['output', 'response', 'response_text', 'prediction', 'error'].some((k) => k in record) ||
    videoFieldOf(record) !== undefined
  );
}

function toItem(path: string, record: Record<string, unknown>, index?: number): ParsedItem | FileProblem {
  const where = index === undefined ? path : `${path}:${index}`;
  const found = findVideoRef(record);
  if (!found) {
    const field = videoFieldOf(record);
    return {
      path: where,
      reason: field
        ? `${field} ${explainBadVideoRef(record[field])}`
        : 'no video reference (expected video_uri, gcs_uri, video_path, …)',
    };
  }
  return {
    id: itemIdFromPath(path, index),
    source: where,
    ref: found.ref,
    model: extractModelOutput(record),
    record,
  };
}

/** V8 reports a character position; people fix files by line and column. */
function withLineColumn(message: string, text: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} (line ${line}, column ${column})`;
}

function isProblem(x: ParsedItem | FileProblem): x is FileProblem {
  return 'reason' in x;
}

/**
 * Read one run file's text: items (one JSON object, a JSON array of objects, or JSONL),
 * metadata (JSON without a video reference) or the run's rubric. Problems are returned,
 * never thrown, so a whole folder can be checked before anything is sent.
 */
export function parseRunFile(path: string, text: string): { file?: RunFile; problems: FileProblem[] } {
  const name = path.split('/').pop() ?? path;
  if (/\.jsonl$/i.test(path)) {
    const items: ParsedItem[] = [];
    const problems: FileProblem[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        problems.push({ path: `${path}:${i + 1}`, reason: `invalid JSON: ${(e as Error).message}` });
        return;
      }
      if (!isPlainObject(value)) {
        problems.push({ path: `${path}:${i + 1}`, reason: 'each line must be a JSON object' });
        return;
      }
      const item = toItem(path, value, i + 1);
      if (isProblem(item)) problems.push(item);
      else items.push(item);
    });
    if (items.length === 0 && problems.length === 0) problems.push({ path, reason: 'empty JSONL file' });
    return { ...(problems.length ? {} : { file: { kind: 'items', path, items } }), problems };
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { problems: [{ path, reason: `invalid JSON: ${withLineColumn((e as Error).message, text)}` }] };
  }
  if (name === RUBRIC_FILE) {
    const parsed = RubricSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        problems: [
          { path, reason: `invalid rubric: ${issue?.path.join('.') || '(root)'}: ${issue?.message}` },
        ],
      };
    }
    return { file: { kind: 'rubric', path, rubric: parsed.data }, problems: [] };
  }
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(isPlainObject) &&
    value.some((v) => findVideoRef(v))
  ) {
    const results = value.map((v, i) => toItem(path, v as Record<string, unknown>, i + 1));
    const problems = results.filter(isProblem);
    if (problems.length) return { problems };
    return { file: { kind: 'items', path, items: results as ParsedItem[] }, problems: [] };
  }
  if (isPlainObject(value)) {
    if (findVideoRef(value) || looksLikeResult(value)) {
      const item = toItem(path, value);
      return isProblem(item)
        ? { problems: [item] }
        : { file: { kind: 'items', path, items: [item] }, problems: [] };
    }
  }
  return { file: { kind: 'metadata', path, data: value }, problems: [] };
}

/** Model and prompt of a run, from its items and metadata (first value found). */
export function describeRun(files: RunFile[]): { model?: string; prompt?: string } {
  const records: Record<string, unknown>[] = [];
  for (const f of files) {
    if (f.kind === 'metadata' && isPlainObject(f.data)) records.push(f.data);
    if (f.kind === 'items') records.push(...f.items.map((i) => i.record));
  }
  const pick = (keys: string[]): string | undefined => {
    for (const r of records) {
      for (const k of keys) {
        const v = r[k];
        if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 200);
      }
    }
    return undefined;
  };
  const model = pick(['model', 'model_name', 'model_id']);
  const prompt = pick(['prompt_version', 'prompt_id', 'prompt_name', 'prompt']);
  return { ...(model ? { model } : {}), ...(prompt ? { prompt } : {}) };
}
