/**
 * Item detection: which JSON objects in a run folder are items, where their video is,
 * and what the model said. One implementation, used by the CLI, the server and the client.
 * Inputs are what Python's `json.dump` writes; no fixed schema is assumed.
 */

/** Fields that may name an item's video, in order of preference. */
export const VIDEO_REF_FIELDS = [
  'video_uri',
  'gcs_uri',
  'video_path',
  'video_url',
  'video',
  'video_gcs_uri',
  'video_file',
  'video_key',
  'gcs_path',
  'uri',
] as const;

/** A reference to a video object. `bucket` is undefined for a bucket-relative key. */
export interface VideoRef {
  /** Bucket named by the reference, or undefined when the key is relative to the app's bucket. */
  bucket?: string;
  /** Object key inside the bucket. */
  key: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const PUBLIC_HOSTS = ['storage.googleapis.com', 'storage.cloud.google.com'];

function safeKey(key: string): string | undefined {
  if (key.length === 0 || key.length > 1024 || /[\u0000-\u001f\u007f]/.test(key)) return undefined;
  if (key.split('/').some((s) => s === '.' || s === '..')) return undefined;
  return key;
}

/** Parse `gs://bucket/key`, a storage.googleapis.com URL, or a bucket-relative key. */
export function parseVideoRef(value: unknown): VideoRef | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  const gs = /^gs:\/\/([^/]+)\/(.+)$/.exec(v);
  if (gs) {
    const [, bucket, key] = gs;
    if (!bucket || !BUCKET_NAME.test(bucket)) return undefined;
    const k = safeKey(key ?? '');
    return k ? { bucket, key: k } : undefined;
  }
  if (/^https?:\/\//i.test(v)) {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return undefined;
    }
    if (!PUBLIC_HOSTS.includes(url.hostname)) return undefined;
    const [bucket, ...rest] = url.pathname.replace(/^\//, '').split('/');
    if (!bucket || !BUCKET_NAME.test(bucket)) return undefined;
    const k = safeKey(rest.map((s) => decodeURIComponent(s)).join('/'));
    return k ? { bucket, key: k } : undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(v) || v.startsWith('/') || v.startsWith('\\')) return undefined;
  const k = safeKey(v.replace(/^\.\//, ''));
  return k && /\.[A-Za-z0-9]{2,5}$/.test(k) ? { key: k } : undefined;
}

/** Why a value named in a video field is not a usable reference (for upload messages). */
export function explainBadVideoRef(value: unknown): string {
  if (typeof value !== 'string') return `must be a string, not ${value === null ? 'null' : typeof value}`;
  const v = value.trim();
  const shown = JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  const gs = /^gs:\/\/([^/]*)\/?(.*)$/.exec(v);
  if (gs) {
    if (!BUCKET_NAME.test(gs[1] ?? '')) return `${shown}: "${gs[1]}" is not a valid bucket name`;
    return `${shown}: needs an object key after the bucket, without "." or ".." segments`;
  }
  if (/^https?:\/\//i.test(v)) {
    return `${shown}: only gs://BUCKET/KEY, https://storage.googleapis.com/BUCKET/KEY or a bucket-relative key are supported`;
  }
  if (v.startsWith('/') || v.startsWith('\\') || /^[a-z]:[\\/]/i.test(v)) {
    return `${shown} is a local path; use gs://BUCKET/KEY or a key relative to the bucket`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return `${shown}: unsupported scheme`;
  if (v.split('/').some((s) => s === '.' || s === '..'))
    return `${shown}: must not contain "." or ".." segments`;
  return `${shown}: a bucket-relative key must end in a file extension such as .mp4`;
}

/**
 * The first video field holding text in a record, usable or not: such a record was meant to
 * be an item. (`uri` alone is too generic to say so.)
 */
export function videoFieldOf(record: Record<string, unknown>): string | undefined {
  return VIDEO_REF_FIELDS.find((f) => f !== 'uri' && typeof record[f] === 'string' && record[f] !== '');
}

/** The first video reference in a record, with the field it came from. */
export function findVideoRef(record: unknown): { field: string; value: string; ref: VideoRef } | undefined {
  if (!isPlainObject(record)) return undefined;
  for (const field of VIDEO_REF_FIELDS) {
    const value = record[field];
    const ref = parseVideoRef(value);
    if (ref && typeof value === 'string') return { field, value, ref };
  }
  return undefined;
}

/** Format a reference as `gs://bucket/key`, resolving a relative key against `defaultBucket`. */
export function videoUri(ref: VideoRef, defaultBucket: string): string {
  return `gs://${ref.bucket ?? defaultBucket}/${ref.key}`;
}

/**
 * Item id from the file's path inside the run: the path without its extension, with
 * `/` separators; a line of a `.jsonl` file adds `~N` (1-based), which is URL-safe.
 */
export function itemIdFromPath(relPath: string, line?: number): string {
  const base = relPath.replace(/\\/g, '/').replace(/\.(jsonl|json)$/i, '');
  return line === undefined ? base : `${base}~${line}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A recognised step of the model's output, with times in seconds. */
export interface Segment {
  /** Start in seconds from the beginning of the clip. */
  start: number;
  /** End in seconds, when given. */
  end?: number;
  /** What happens in the step. */
  label: string;
}

/** Seconds from `MM:SS`, `H:MM:SS.s`, `12.5`, `"12.5s"` or a number. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const plain = /^(\d+(?:\.\d+)?)\s*s?$/.exec(s);
  if (plain) return Number(plain[1]);
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(s);
  if (!clock) return undefined;
  const [, h, m, sec] = clock;
  const minutes = Number(m);
  const seconds = Number(sec);
  if (seconds >= 60 || (h !== undefined && minutes >= 60)) return undefined;
  return Number(h ?? 0) * 3600 + minutes * 60 + seconds;
}

const START_KEYS = [
  'start',
  'start_time',
  'start_s',
  'start_sec',
  'start_seconds',
  'begin',
  'from',
  't_start',
  'timestamp',
];
const END_KEYS = ['end', 'end_time', 'end_s', 'end_sec', 'end_seconds', 'stop', 'to', 't_end'];
const LABEL_KEYS = ['action', 'label', 'step', 'description', 'name', 'text', 'task', 'event', 'activity'];

function firstOf(o: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

function toSegment(o: unknown): Segment | undefined {
  if (!isPlainObject(o)) return undefined;
  const start = parseTimestamp(firstOf(o, START_KEYS));
  if (start === undefined) return undefined;
  const end = parseTimestamp(firstOf(o, END_KEYS));
  const label = firstOf(o, LABEL_KEYS);
  return {
    start,
    ...(end !== undefined && end >= start ? { end } : {}),
    label: typeof label === 'string' ? label : label === undefined ? '' : JSON.stringify(label),
  };
}

/**
 * The first array (breadth-first, a few levels deep) whose elements are all objects with a
 * recognisable start time: that is the model's list of steps.
 */
export function findSegments(output: unknown, maxDepth = 4): Segment[] {
  let level: unknown[] = [output];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const node of level) {
      if (Array.isArray(node)) {
        if (node.length > 0) {
          const segs = node.map(toSegment);
          if (segs.every((s): s is Segment => s !== undefined)) return segs;
        }
        next.push(...node);
      } else if (isPlainObject(node)) {
        next.push(...Object.values(node));
      }
    }
    level = next;
  }
  return [];
}

const OUTPUT_FIELDS = [
  'output',
  'response',
  'response_text',
  'prediction',
  'result',
  'answer',
  'text',
  'completion',
];

/** Parse JSON from a model's text answer: a fenced ```json block, or the whole text. */
export function parseTextAnswer(text: string): unknown {
  const fence = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?```/.exec(text);
  const candidate = (fence ? fence[1] : text)?.trim() ?? '';
  if (candidate.startsWith('{') || candidate.startsWith('[')) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** What the model produced for one item, as far as it can be recognised. */
export interface ModelOutput {
  /** The output field's name in the record, if one was found. */
  field?: string;
  /** The output, with JSON inside a text answer parsed; `null` when missing. */
  output: unknown;
  /** The record's `error`, when inference failed. */
  error?: string;
  /** Recognised steps, sorted by start time; empty when none. */
  segments: Segment[];
}

export function extractModelOutput(record: Record<string, unknown>): ModelOutput {
  let field: string | undefined;
  let output: unknown = null;
  for (const f of OUTPUT_FIELDS) {
    const v = record[f];
    if (v !== undefined && v !== null) {
      field = f;
      output = typeof v === 'string' ? parseTextAnswer(v) : v;
      break;
    }
  }
  const err = record.error ?? record.exception;
  const error =
    err === undefined || err === null || err === ''
      ? undefined
      : typeof err === 'string'
        ? err
        : JSON.stringify(err);
  const segments = findSegments(output).sort((a, b) => a.start - b.start);
  return { ...(field ? { field } : {}), output, ...(error ? { error } : {}), segments };
}
