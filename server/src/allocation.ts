/**
 * Which item a rater gets next. Pure: the routes pass in the run and every submission.
 *
 * Every item is first brought to a target number of ratings (one per rater), fewest
 * ratings first. Once every item a rater can still rate has reached the target, the next
 * rating goes where it shrinks the uncertainty of an item's mean the most: the item whose
 * ratings disagree most, relative to how many it has (variance / (n * (n + 1))).
 */
import { createHash } from 'node:crypto';
import { latestSubmissions, numericAnswer, type Rubric, type Submission } from '@fts/shared';

/** What the allocation needs of an item. */
export interface AllocItem {
  id: string;
  videoUri: string;
}

/** What the allocation needs of a run. */
export interface AllocRun<T extends AllocItem> {
  runId: string;
  rubric: Rubric;
  items: readonly T[];
}

/** A stable per-rater order, so raters do not all start on the same item. */
export function tieBreak(rater: string, key: string): string {
  return createHash('sha1').update(`${rater}\n${key}`).digest('hex');
}

interface ItemRatings {
  raters: Set<string>;
  values: number[];
}

/** Raters and first-numeric-criterion values per item, from each rater's latest submission. */
function ratingsByItem(
  run: AllocRun<AllocItem>,
  submissions: readonly Submission[],
): Map<string, ItemRatings> {
  const criterion = run.rubric.criteria.find((c) => c.type === 'scale' || c.type === 'yesno');
  const out = new Map<string, ItemRatings>();
  for (const s of latestSubmissions(submissions, run.runId)) {
    const r = out.get(s.item_id) ?? { raters: new Set<string>(), values: [] };
    r.raters.add(s.rater_id);
    const v = criterion ? numericAnswer(criterion, s.answers[criterion.id]) : undefined;
    if (v !== undefined) r.values.push(v);
    out.set(s.item_id, r);
  }
  return out;
}

function sampleVariance(xs: readonly number[]): number | undefined {
  if (xs.length < 2) return undefined;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** How much one more rating would shrink the variance of each item's mean. */
function gains(ratings: Map<string, ItemRatings>, ids: readonly string[]): Map<string, number> {
  // Items with fewer than two values borrow the average within-item variance.
  const known = [...ratings.values()].map((r) => sampleVariance(r.values)).filter((v) => v !== undefined);
  const pooled = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  return new Map(
    ids.map((id) => {
      const r = ratings.get(id);
      const n = r?.raters.size ?? 0;
      const v = (r && sampleVariance(r.values)) ?? pooled;
      return [id, n === 0 ? Infinity : v / (n * (n + 1))];
    }),
  );
}

/** Order `ids` for `rater`: below target first (fewest ratings), then by gain, then per rater. */
function rank(
  ids: readonly string[],
  count: (id: string) => number,
  gain: Map<string, number>,
  rater: string,
  target: number,
): string[] {
  return [...ids].sort((a, b) => {
    const ca = count(a);
    const cb = count(b);
    const below = Number(cb < target) - Number(ca < target);
    if (below !== 0) return below;
    if (ca < target && ca !== cb) return ca - cb;
    if (ca >= target) {
      const g = (gain.get(b) ?? 0) - (gain.get(a) ?? 0);
      if (g !== 0 && !Number.isNaN(g)) return g;
      if (ca !== cb) return ca - cb;
    }
    return tieBreak(rater, a) < tieBreak(rater, b) ? -1 : 1;
  });
}

/** The next item of `run` for `rater`, or undefined when they have rated every item. */
export function chooseNext<T extends AllocItem>(
  run: AllocRun<T>,
  submissions: readonly Submission[],
  rater: string,
  target: number,
): T | undefined {
  const ratings = ratingsByItem(run, submissions);
  const open = run.items.filter((i) => !ratings.get(i.id)?.raters.has(rater));
  if (open.length === 0) return undefined;
  const ids = open.map((i) => i.id);
  const order = rank(ids, (id) => ratings.get(id)?.raters.size ?? 0, gains(ratings, ids), rater, target);
  return open.find((i) => i.id === order[0]);
}

/** The next video to rate in both runs, with its two items in the order to show them. */
export interface NextPair<T> {
  videoUri: string;
  /** The items this rater has still to rate for the video, in counterbalanced order. */
  items: T[];
  /** Videos this rater has rated in both runs, and videos both runs cover. */
  progress: { done: number; total: number };
}

/**
 * Comparison mode: a video both runs cover, so the rater scores the two runs' outputs for
 * the same clip. A pair the rater has started is finished first; then pairs below the
 * target (fewest raters who rated both), then the rest. The run shown first alternates
 * from one pair to the next for each rater, and starts on a different run for different
 * raters, so neither run is systematically seen first.
 */
export function chooseNextPair<T extends AllocItem>(
  a: AllocRun<T>,
  b: AllocRun<T>,
  submissions: readonly Submission[],
  rater: string,
  target: number,
): NextPair<T> | undefined {
  const byVideo = (run: AllocRun<T>): Map<string, T> => {
    const m = new Map<string, T>();
    for (const i of run.items) if (!m.has(i.videoUri)) m.set(i.videoUri, i);
    return m;
  };
  const va = byVideo(a);
  const vb = byVideo(b);
  const videos = [...va.keys()].filter((v) => vb.has(v));
  const ra = ratingsByItem(a, submissions);
  const rb = ratingsByItem(b, submissions);
  const has = (r: Map<string, ItemRatings>, item: T | undefined, who: string): boolean =>
    !!item && !!r.get(item.id)?.raters.has(who);
  const pairRaters = (v: string): number => {
    const sa = ra.get((va.get(v) as T).id)?.raters ?? new Set<string>();
    const sb = rb.get((vb.get(v) as T).id)?.raters ?? new Set<string>();
    return [...sa].filter((r) => sb.has(r)).length;
  };
  const doneA = (v: string): boolean => has(ra, va.get(v), rater);
  const doneB = (v: string): boolean => has(rb, vb.get(v), rater);
  const done = videos.filter((v) => doneA(v) && doneB(v)).length;
  const open = videos.filter((v) => !(doneA(v) && doneB(v)));
  if (open.length === 0) return undefined;
  const started = open.filter((v) => doneA(v) || doneB(v));
  const pool = started.length ? started : open;
  const [video] = rank(pool, pairRaters, new Map(), rater, target);
  const v = video as string;
  const aFirst = (done + parseInt(tieBreak(rater, 'order').slice(0, 1), 16)) % 2 === 0;
  const pair = aFirst ? [va.get(v) as T, vb.get(v) as T] : [vb.get(v) as T, va.get(v) as T];
  const pending = pair.filter((item) => !(item === va.get(v) ? doneA(v) : doneB(v)));
  return { videoUri: v, items: pending, progress: { done, total: videos.length } };
}
