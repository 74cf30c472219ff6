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

/**
 * Mean of per-unit means: each unit counts once, whatever its number of ratings. Units and
 * raters are weighted by `unitW` and `raterW` (bootstrap draw counts); weight 0 leaves them out.
 * Fills `means` (NaN for a unit with no weighted rating).
 */
function unitMeans(
  obs: readonly Observation[],
  unitCount: number,
  raterW: ArrayLike<number> | undefined,
  means: Float64Array,
  weights: Float64Array,
): void {
  means.fill(0, 0, unitCount);
  weights.fill(0, 0, unitCount);
  for (const o of obs) {
    const w = raterW ? (raterW[o.rater] as number) : 1;
    if (w === 0) continue;
    means[o.unit] = (means[o.unit] as number) + w * o.value;
    weights[o.unit] = (weights[o.unit] as number) + w;
  }
  for (let u = 0; u < unitCount; u++) {
    means[u] = (weights[u] as number) > 0 ? (means[u] as number) / (weights[u] as number) : NaN;
  }
}

/** Weighted mean of `means` over units with weight `unitW` (all 1 when absent), skipping NaN. */
function weightedMean(means: Float64Array, unitW: ArrayLike<number> | undefined): number {
  let num = 0;
  let den = 0;
  for (let u = 0; u < means.length; u++) {
    const w = unitW ? (unitW[u] as number) : 1;
    const m = means[u] as number;
    if (w === 0 || Number.isNaN(m)) continue;
    num += w * m;
    den += w;
  }
  return den > 0 ? num / den : NaN;
}

/** How many times each of `pool`'s members is picked in |pool| draws with replacement. */
function drawCounts(pool: readonly number[], size: number, random: () => number): Int32Array {
  const c = new Int32Array(size);
  for (let i = 0; i < pool.length; i++) {
    const k = pool[Math.floor(random() * pool.length)] as number;
    c[k] = (c[k] as number) + 1;
  }
  return c;
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
export function bootstrapMean(obs: readonly Observation[], options: BootstrapOptions = {}): Estimate {
  const units = distinct(obs.map((o) => o.unit));
  const raters = distinct(obs.map((o) => o.rater));
  const nu = size(units);
  const nr = size(raters);
  const means = new Float64Array(nu);
  const weights = new Float64Array(nu);
  unitMeans(obs, nu, undefined, means, weights);
  const estimate = weightedMean(means, undefined);
  if (units.length === 0) return { estimate: NaN, interval: null };
  const random = seededRandom(options.seed ?? 1);
  const stats: number[] = [];
  for (let b = 0; b < (options.replicates ?? 2000); b++) {
    const cu = drawCounts(units, nu, random);
    const cr = drawCounts(raters, nr, random);
    unitMeans(obs, nu, cr, means, weights);
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
  a: readonly Observation[],
  b: readonly Observation[],
  options: BootstrapOptions = {},
): Estimate {
  const inB = new Set(b.map((o) => o.unit));
  const units = distinct(a.map((o) => o.unit).filter((u) => inB.has(u)));
  const raters = distinct([...a, ...b].map((o) => o.rater));
  const nu = size(units);
  const nr = size(raters);
  const shared = new Int32Array(nu);
  for (const u of units) shared[u] = 1;
  const [ma, wa, mb, wb, d] = [0, 0, 0, 0, 0].map(() => new Float64Array(nu)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const diff = (unitW: ArrayLike<number>): number => {
    for (let u = 0; u < nu; u++) d[u] = (ma[u] as number) - (mb[u] as number);
    return weightedMean(d, unitW);
  };
  unitMeans(a, nu, undefined, ma, wa);
  unitMeans(b, nu, undefined, mb, wb);
  const estimate = diff(shared);
  if (units.length === 0) return { estimate: NaN, interval: null };
  const random = seededRandom(options.seed ?? 1);
  const stats: number[] = [];
  for (let r = 0; r < (options.replicates ?? 2000); r++) {
    const cu = drawCounts(units, nu, random);
    const cr = drawCounts(raters, nr, random);
    unitMeans(a, nu, cr, ma, wa);
    unitMeans(b, nu, cr, mb, wb);
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
  a: readonly Observation[],
  b: readonly Observation[],
  options: BootstrapOptions = {},
): Estimate {
  const unitsA = distinct(a.map((o) => o.unit));
  const unitsB = distinct(b.map((o) => o.unit));
  const raters = distinct([...a, ...b].map((o) => o.rater));
  const na = size(unitsA);
  const nb = size(unitsB);
  const nr = size(raters);
  const [ma, wa] = [new Float64Array(na), new Float64Array(na)];
  const [mb, wb] = [new Float64Array(nb), new Float64Array(nb)];
  unitMeans(a, na, undefined, ma, wa);
  unitMeans(b, nb, undefined, mb, wb);
  const estimate = weightedMean(ma, undefined) - weightedMean(mb, undefined);
  if (unitsA.length === 0 || unitsB.length === 0) return { estimate: NaN, interval: null };
  const random = seededRandom(options.seed ?? 1);
  const stats: number[] = [];
  for (let r = 0; r < (options.replicates ?? 2000); r++) {
    const ca = drawCounts(unitsA, na, random);
    const cb = drawCounts(unitsB, nb, random);
    const cr = drawCounts(raters, nr, random);
    unitMeans(a, na, cr, ma, wa);
    unitMeans(b, nb, cr, mb, wb);
    const s = weightedMean(ma, ca) - weightedMean(mb, cb);
    if (!Number.isNaN(s)) stats.push(s);
  }
  return { estimate, interval: stats.length ? percentile(stats, options.level ?? 0.95) : null };
}
