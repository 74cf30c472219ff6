import { RubricSchema, type Rubric } from './rubric';
import { MAX_ITEM_ID_LENGTH } from './rules';
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

/**
 * Deepest nesting of arrays and objects accepted in a run file. Python's `json.dump` stops
 * near 1000; far less is ever written by a pipeline, and much more overflows the stack of
 * whatever later serialises or walks the record (the server's JSON responses, the rater app).
 */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests arrays or objects deeper than `max` levels (checked without recursion). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

const TOO_DEEP = `nested deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * Every item id given to more than one record, as problems naming each later record. Ids come
 * from paths (`a.json` is `a`, line 1 of `a.jsonl` is `a~1`), so `a.json` and `a.JSON`, or
 * `a~1.json` and `a.jsonl`, would collide; scores name items by id, so both would share their
 * scores. `taken` holds ids already given (id to source), for checking a folder file by file.
 */
export function duplicateItemIds(
  items: Iterable<{ id: string; source: string }>,
  taken: ReadonlyMap<string, string> = new Map(),
): FileProblem[] {
  const first = new Map<string, string>();
  const problems: FileProblem[] = [];
  for (const { id, source } of items) {
    const other = taken.get(id) ?? first.get(id);
    if (other === undefined) first.set(id, source);
    else problems.push({ path: source, reason: `item id ${JSON.stringify(id)} is also given to ${other}` });
  }
  return problems;
}

/**
 * Longest run file path, in UTF-8 bytes: after `inference_runs/`, a run ID of up to 128
 * characters and `/`, the object name stays within the 1024 bytes GCS allows.
 */
export const MAX_RUN_FILE_PATH_BYTES = 1024 - 'inference_runs/'.length - 128 - 1;
/** Longest folder or file name in a path, in UTF-8 bytes, as most file systems allow (NAME_MAX). */
export const MAX_NAME_BYTES = 255;

/** Length in UTF-8 bytes (no Buffer: this module runs in the browser too). */
const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

/**
 * Why a run file's path cannot be stored or shown as it is, or undefined when it is fine:
 * too long for an object name or a file name on disk, or holding characters that make the
 * item id shown to raters differ from the one stored (Unicode bidirectional controls reorder
 * what is displayed; C1 controls are invisible).
 */
export function runFilePathProblem(path: string): string | undefined {
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(path))
    return 'file name contains a Unicode bidirectional control, which changes how the item id is displayed';
  if (/[\u0080-\u009f]/.test(path)) return 'file name contains a control character';
  const bytes = utf8Bytes(path);
  if (bytes > MAX_RUN_FILE_PATH_BYTES)
    return `path is ${bytes} bytes long; at most ${MAX_RUN_FILE_PATH_BYTES} fit in an object name`;
  if (path.split('/').some((s) => utf8Bytes(s) > MAX_NAME_BYTES))
    return `a folder or file name is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

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
  const id = itemIdFromPath(path, index);
  if (id.length > MAX_ITEM_ID_LENGTH)
    return {
      path: where,
      reason: `item id is longer than ${MAX_ITEM_ID_LENGTH} characters: shorten the path`,
    };
  return {
    id,
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
  const bad = runFilePathProblem(path);
  if (bad) return { problems: [{ path, reason: bad }] };
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
      if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
        problems.push({ path: `${path}:${i + 1}`, reason: TOO_DEEP });
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
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) return { problems: [{ path, reason: TOO_DEEP }] };
  // Only the run folder's own rubric.json: one in a subfolder would silently replace it.
  if (path === RUBRIC_FILE) {
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
