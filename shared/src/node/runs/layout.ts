/** Where things live in the bucket; the defaults reproduce the existing bucket's layout. */
export const RUNS_PREFIX = 'inference_runs/';
export const MANIFEST_FILE = 'manifest.json';
export const SCORES_CSV_KEY = 'scores/scores.csv';
/** One create-only object per submission, folded into scores.csv by compaction. */
export const PENDING_PREFIX = 'scores/pending/';
/**
 * A copy of each submission once it is in scores.csv, written before its pending object is
 * deleted: how a resend is recognised in one read, without looking through scores.csv.
 */
export const FOLDED_PREFIX = 'scores/folded/';

export function runPrefix(runId: string): string {
  return `${RUNS_PREFIX}${runId}/`;
}

export function manifestKey(runId: string): string {
  return `${runPrefix(runId)}${MANIFEST_FILE}`;
}

export function runFileKey(runId: string, path: string): string {
  return `${runPrefix(runId)}${path}`;
}
