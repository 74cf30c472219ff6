/**
 * Cluster bootstrap for ratings that are clustered two ways at once: by item (every rater
 * sees the same video) and by rater (a harsh rater is harsh on every item). Each replicate
 * resamples items with replacement and, independently, raters with replacement, and weighs
 * each rating by (times its item was drawn) x (times its rater was drawn): the "pigeonhole"
 * bootstrap of Owen (2007), which is conservative for crossed designs. Intervals are
 * percentile intervals, and the generator is seeded, so the same data give the same interval.
 */

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One rating: its item (unit) and rater as small integers, and its value. */
export interface Observation {
  unit: number;
  rater: number;
  value: number;
}

export interface BootstrapOptions {
  /** Replicates; 2000 by default. */
  replicates?: number;
  /** Seed of the generator; 1 by default. */
  seed?: number;
  /** Coverage of the interval; 0.95 by default. */
  level?: number;
}

export interface Interval {
  low: number;
  high: number;
  /** Replicates that gave a value (a replicate that drew no rated item for a side is skipped). */
  replicates: number;
}

/** The q-th quantile of sorted values, interpolating linearly (NumPy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Observations packed into typed arrays: the replicate loops read them thousands of times. */
interface Packed {
  unit: Int32Array;
  rater: Int32Array;
  value: Float64Array;
}

function pack(obs: readonly Observation[]): Packed {
  return {
    unit: Int32Array.from(obs, (o) => o.unit),
    rater: Int32Array.from(obs, (o) => o.rater),
    value: Float64Array.from(obs, (o) => o.value),
  };
}

/**
 * Mean of each unit's ratings, raters weighted by `raterW` (bootstrap draw counts; weight 0
 * leaves a rater out). Fills `means`, NaN for a unit with no weighted rating.
 */
function unitMeans(obs: Packed, raterW: Int32Array, means: Float64Array, weights: Float64Array): void {
  means.fill(0);
  weights.fill(0);
  const { unit, rater, value } = obs;
  for (let i = 0; i < unit.length; i++) {
    const w = raterW[rater[i] as number] as number;
    if (w === 0) continue;
    const u = unit[i] as number;
    means[u] = (means[u] as number) + w * (value[i] as number);
    weights[u] = (weights[u] as number) + w;
  }
  for (let u = 0; u < means.length; u++) {
    means[u] = (weights[u] as number) > 0 ? (means[u] as number) / (weights[u] as number) : NaN;
  }
}

/** Weighted mean of `means` over units with weight `unitW`, skipping NaN. */
function weightedMean(means: Float64Array, unitW: Int32Array): number {
  let num = 0;
  let den = 0;
  for (let u = 0; u < means.length; u++) {
    const w = unitW[u] as number;
    const m = means[u] as number;
    if (w === 0 || Number.isNaN(m)) continue;
    num += w * m;
    den += w;
  }
  return den > 0 ? num / den : NaN;
}

/** Into `counts`: how many times each of `pool`'s members is picked in |pool| draws with replacement. */
function drawCounts(pool: readonly number[], counts: Int32Array, random: () => number): Int32Array {
  counts.fill(0);
  for (let i = 0; i < pool.length; i++) {
    const k = pool[Math.floor(random() * pool.length)] as number;
    counts[k] = (counts[k] as number) + 1;
  }
  return counts;
}

/** Weight 1 for each of `ids`, 0 for the other slots. */
function ones(ids: readonly number[], length: number): Int32Array {
  const w = new Int32Array(length);
  for (const i of ids) w[i] = 1;
  return w;
}

const distinct = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);
const size = (ids: readonly number[]): number => (ids.length ? Math.max(...ids) + 1 : 0);

function percentile(stats: number[], level: number): Interval {
  stats.sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return { low: quantileSorted(stats, a), high: quantileSorted(stats, 1 - a), replicates: stats.length };
}

/** Point estimate and interval of a statistic. */
export interface Estimate {
  estimate: number;
  interval: Interval | null;
}

/**
 * Mean rating, each unit (item) counting once, with a cluster-bootstrap interval.
 * Units and raters are small non-negative integers.
 */
export function bootstrapMean(
  observations: readonly Observation[],
  options: BootstrapOptions = {},
): Estimate {
  const obs = pack(observations);
  const units = distinct(obs.unit);
  const raters = distinct(obs.rater);
  const nu = size(units);
  const nr = size(raters);
  const means = new Float64Array(nu);
  const weights = new Float64Array(nu);
  unitMeans(obs, ones(raters, nr), means, weights);
  const estimate = weightedMean(means, ones(units, nu));
  if (units.length === 0) return { estimate: NaN, interval: null };
  const random = seededRandom(options.seed ?? 1);
  const [cu, cr] = [new Int32Array(nu), new Int32Array(nr)];
  const stats: number[] = [];
  for (let b = 0; b < (options.replicates ?? 2000); b++) {
    drawCounts(units, cu, random);
    drawCounts(raters, cr, random);
    unitMeans(obs, cr, means, weights);
    const s = weightedMean(means, cu);
    if (!Number.isNaN(s)) stats.push(s);
  }
  return { estimate, interval: stats.length ? percentile(stats, options.level ?? 0.95) : null };
}

/**
 * Difference of means A - B over the same units (videos rated in both), paired by unit:
 * each replicate draws one set of units for both sides, and one set of raters.
 */
export function bootstrapPairedDifference(
  obsA: readonly Observation[],
  obsB: readonly Observation[],
  options: BootstrapOptions = {},
): Estimate {
  const [a, b] = [pack(obsA), pack(obsB)];
  const inB = new Set(b.unit);
  const units = distinct([...a.unit].filter((u) => inB.has(u)));
  const raters = distinct([...a.rater, ...b.rater]);
  const nu = Math.max(size(distinct(a.unit)), size(distinct(b.unit)));
  const nr = size(raters);
  const [ma, wa, mb, wb, d] = [0, 0, 0, 0, 0].map(() => new Float64Array(nu)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const diff = (unitW: Int32Array): number => {
    for (let u = 0; u < nu; u++) d[u] = (ma[u] as number) - (mb[u] as number);
    return weightedMean(d, unitW);
  };
  const allRaters = ones(raters, nr);
  unitMeans(a, allRaters, ma, wa);
  unitMeans(b, allRaters, mb, wb);
  const estimate = diff(ones(units, nu));
  if (units.length === 0) return { estimate: NaN, interval: null };
  const random = seededRandom(options.seed ?? 1);
  const [cu, cr] = [new Int32Array(nu), new Int32Array(nr)];
  const stats: number[] = [];
  for (let r = 0; r < (options.replicates ?? 2000); r++) {
    drawCounts(units, cu, random);
    drawCounts(raters, cr, random);
    unitMeans(a, cr, ma, wa);
    unitMeans(b, cr, mb, wb);
    const s = diff(cu);
    if (!Number.isNaN(s)) stats.push(s);
  }
  return { estimate, interval: stats.length ? percentile(stats, options.level ?? 0.95) : null };
}

/**
 * Difference of means A - B over different units: each replicate draws A's units from A and
 * B's units from B, and one set of raters for both (a rater who rated both runs is one cluster).
 */
export function bootstrapUnpairedDifference(
  obsA: readonly Observation[],
  obsB: readonly Observation[],
  options: BootstrapOptions = {},
): Estimate {
  const [a, b] = [pack(obsA), pack(obsB)];
  const unitsA = distinct(a.unit);
  const unitsB = distinct(b.unit);
  const raters = distinct([...a.rater, ...b.rater]);
  const na = size(unitsA);
  const nb = size(unitsB);
  const nr = size(raters);
  const [ma, wa] = [new Float64Array(na), new Float64Array(na)];
  const [mb, wb] = [new Float64Array(nb), new Float64Array(nb)];
  const allRaters = ones(raters, nr);
  unitMeans(a, allRaters, ma, wa);
  unitMeans(b, allRaters, mb, wb);
  const estimate = weightedMean(ma, ones(unitsA, na)) - weightedMean(mb, ones(unitsB, nb));
  if (unitsA.length === 0 || unitsB.length === 0) return { estimate: NaN, interval: null };
  const random = seededRandom(options.seed ?? 1);
  const [ca, cb, cr] = [new Int32Array(na), new Int32Array(nb), new Int32Array(nr)];
  const stats: number[] = [];
  for (let r = 0; r < (options.replicates ?? 2000); r++) {
    drawCounts(unitsA, ca, random);
    drawCounts(unitsB, cb, random);
    drawCounts(raters, cr, random);
    unitMeans(a, cr, ma, wa);
    unitMeans(b, cr, mb, wb);
    const s = weightedMean(ma, ca) - weightedMean(mb, cb);
    if (!Number.isNaN(s)) stats.push(s);
  }
  return { estimate, interval: stats.length ? percentile(stats, options.level ?? 0.95) : null };
}
