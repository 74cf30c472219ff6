/**
 * Rank tests with SciPy's defaults (scipy.stats.wilcoxon and scipy.stats.mannwhitneyu,
 * two-sided, method "auto"), so a p-value here is the one an analyst gets in Python.
 */
import { normalSf } from './normal';

export { normalCdf, normalSf, normalQuantile } from './normal';

export interface TestResult {
  /** Wilcoxon: min(W+, W-). Mann-Whitney: U of the first sample. */
  statistic: number;
  /** Two-sided p-value; 1 when there is nothing to compare. */
  p: number;
  /** How the p-value was found. */
  method: 'exact' | 'normal';
  /** Observations used (Wilcoxon: non-zero differences; Mann-Whitney: n1 + n2). */
  n: number;
}

/** Average ranks (1-based) of `xs`, and the sizes of the groups of tied values. */
export function rankAverage(xs: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = xs.map((_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  const ranks = new Array<number>(xs.length).fill(0);
  const ties: number[] = [];
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1] as number] === xs[order[i] as number]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = r;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * Wilcoxon signed-rank test on paired differences. Zero differences are dropped
 * (zero_method "wilcox"). Exact when there are at most 50 differences and no ties or zeros;
 * exact by enumerating every sign assignment when there are ties or zeros and at most 13
 * differences (what SciPy's permutation fallback computes); otherwise the normal
 * approximation with tie correction and continuity correction.
 */
export function wilcoxonSignedRank(diffs: readonly number[]): TestResult {
  const total = diffs.length;
  const nonzero = diffs.filter((d) => d !== 0);
  const n = nonzero.length;
  const { ranks, ties } = rankAverage(nonzero.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  nonzero.forEach((d, i) => (d > 0 ? (rPlus += ranks[i] as number) : (rMinus += ranks[i] as number)));
  const statistic = Math.min(rPlus, rMinus);
  if (n === 0) return { statistic, p: 1, method: 'exact', n };
  const hasTies = ties.some((t) => t > 1);
  const zeros = total - n;
  if (total <= 50 && ((!hasTies && zeros === 0) || total <= 13)) {
    // Null distribution of 2*W+ (integral even with half ranks): each rank is + or - with probability 1/2.
    const doubled = ranks.map((r) => Math.round(2 * r));
    const max = doubled.reduce((a, b) => a + b, 0);
    let dist = new Float64Array(max + 1);
    dist[0] = 1;
    for (const r of doubled) {
      const next = new Float64Array(max + 1);
      for (let s = 0; s <= max; s++) {
        const p = dist[s] as number;
        if (p === 0) continue;
        next[s] = (next[s] as number) + p / 2;
        next[s + r] = (next[s + r] as number) + p / 2;
      }
      dist = next;
    }
    const obs = Math.round(2 * rPlus);
    let le = 0;
    let ge = 0;
    for (let s = 0; s <= max; s++) {
      if (s <= obs) le += dist[s] as number;
      if (s >= obs) ge += dist[s] as number;
    }
    return { statistic, p: Math.min(1, 2 * Math.min(le, ge)), method: 'exact', n };
  }
  const mean = (n * (n + 1)) / 4;
  const tieTerm = ties.reduce((a, t) => a + t ** 3 - t, 0);
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
  if (se === 0) return { statistic, p: 1, method: 'normal', n };
  const z = (rPlus - mean) / se;
  const zc = z - (Math.sign(z) * 0.5) / se;
  return { statistic, p: Math.min(1, 2 * normalSf(Math.abs(zc))), method: 'normal', n };
}

/** Number of ways, per value of U, that n1 and n2 untied observations can interleave. */
function mannWhitneyCounts(n1: number, n2: number): Float64Array {
  // f[a][b] over U: f(a,b,u) = f(a-1,b,u-b) + f(a,b-1,u).
  let prev: Float64Array[] = Array.from({ length: n2 + 1 }, () => Float64Array.of(1));
  for (let a = 1; a <= n1; a++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let b = 1; b <= n2; b++) {
      const f = new Float64Array(a * b + 1);
      const left = prev[b] as Float64Array;
      const down = cur[b - 1] as Float64Array;
      for (let u = 0; u < left.length; u++) f[u + b] = (f[u + b] as number) + (left[u] as number);
      for (let u = 0; u < down.length; u++) f[u] = (f[u] as number) + (down[u] as number);
      cur.push(f);
    }
    prev = cur;
  }
  return prev[n2] as Float64Array;
}

/**
 * Mann-Whitney U test of two independent samples. Exact when either sample has at most 8
 * values and there are no ties; otherwise the normal approximation with tie correction
 * and continuity correction.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): TestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { statistic: NaN, p: 1, method: 'exact', n: n1 + n2 };
  const { ranks, ties } = rankAverage([...x, ...y]);
  const r1 = ranks.slice(0, n1).reduce((a, b) => a + b, 0);
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const hasTies = ties.some((t) => t > 1);
  if (!(n1 > 8 && n2 > 8) && !hasTies) {
    const counts = mannWhitneyCounts(n1, n2);
    const total = counts.reduce((a, b) => a + b, 0);
    let ge = 0;
    for (let k = Math.round(u); k < counts.length; k++) ge += counts[k] as number;
    return { statistic: u1, p: Math.min(1, (2 * ge) / total), method: 'exact', n: n1 + n2 };
  }
  const n = n1 + n2;
  const tieTerm = ties.reduce((a, t) => a + t ** 3 - t, 0);
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (s === 0) return { statistic: u1, p: 1, method: 'normal', n };
  const z = (u - (n1 * n2) / 2 - 0.5) / s;
  return { statistic: u1, p: Math.min(1, 2 * normalSf(z)), method: 'normal', n };
}
