import { contentTypeFor, RUNS_PREFIX, PENDING_PREFIX, SCORES_CSV_KEY } from '@fts/shared/node';
import type { LoadedRun } from '@fts/shared/node';

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Prefixes of the app's own objects in its bucket: never served as videos. */
const APP_PREFIXES = [RUNS_PREFIX, SCORES_CSV_KEY.split('/')[0] + '/', PENDING_PREFIX];

/**
 * Whether `bucket`/`key` (as decoded from the URL) is a plain video key: a valid bucket name,
 * a relative key without `.`, `..` or empty segments, backslashes or control characters, with
 * a video file extension, outside the app's own prefixes. A `%` left after decoding is allowed:
 * keys may hold one (`100% done.mp4`), and a double-encoded path can only name a key that a
 * run references, which `VideoAccess` checks next.
 */
export function isPlainVideoKey(bucket: string, key: string, appBucket: string): boolean {
  if (!BUCKET_NAME.test(bucket)) return false;
  if (key.length === 0 || key.length > 1024) return false;
  if (/[\u0000-\u001f\u007f\\]/.test(key)) return false;
  if (key.split('/').some((s) => s === '' || s === '.' || s === '..')) return false;
  if (!contentTypeFor(key).startsWith('video/')) return false;
  if (bucket === appBucket && APP_PREFIXES.some((p) => key.startsWith(p))) return false;
  return true;
}

/**
 * Which videos may be served: those an item of a listed run references, and those under a
 * configured `gs://bucket/prefix/`. The referenced set is rebuilt only when the runs change.
 */
export class VideoAccess {
  private memo?: { signature: string; uris: Set<string> };

  constructor(private readonly prefixes: string[]) {}

  allows(uri: string, runs: LoadedRun[]): boolean {
    if (this.prefixes.some((p) => uri.startsWith(p))) return true;
    const signature = runs.map((r) => `${r.manifest.runId}@${r.generation}`).join('\n');
    if (this.memo?.signature !== signature) {
      this.memo = { signature, uris: new Set(runs.flatMap((r) => r.items.map((i) => i.videoUri))) };
    }
    return this.memo.uris.has(uri);
  }
}
