import { createHash } from 'node:crypto';
import type { Item, Submission } from '@fts/shared';
import type { LoadedRun } from '@fts/shared/node';

/** Stable per-rater order, so raters do not all start on the same item. */
function tieBreak(rater: string, itemId: string): string {
  return createHash('sha1').update(`${rater}\n${itemId}`).digest('hex');
}

/**
 * The next item for a rater: one they have not scored, with the fewest ratings so far
 * (each rater counted once per item), ties broken per rater.
 */
export function chooseNext(run: LoadedRun, submissions: Submission[], rater: string): Item | undefined {
  const raters = new Map<string, Set<string>>();
  for (const s of submissions) {
    if (s.run_id !== run.manifest.runId) continue;
    const set = raters.get(s.item_id) ?? new Set<string>();
    set.add(s.rater_id);
    raters.set(s.item_id, set);
  }
  const open = run.items.filter((i) => !raters.get(i.id)?.has(rater));
  open.sort((a, b) => {
    const d = (raters.get(a.id)?.size ?? 0) - (raters.get(b.id)?.size ?? 0);
    return d !== 0 ? d : tieBreak(rater, a.id) < tieBreak(rater, b.id) ? -1 : 1;
  });
  return open[0];
}
