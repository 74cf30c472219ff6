/** Comparing two runs criterion by criterion: difference, interval, rank test, wins, power. */
import type { Criterion } from '../rubric';
import type { Submission } from '../submission';
import {
  bootstrapPairedDifference,
  bootstrapUnpairedDifference,
  type BootstrapOptions,
  type Observation,
} from './bootstrap';
import { videosNeeded } from './power';
import { Indexer, latestSubmissions, methodOf, ratingsOf, type Rating, type RunInput } from './summary';
import { mannWhitneyU, wilcoxonSignedRank } from './tests';
import type { CriterionComparisonDto, RunComparisonDto } from './types';

/**
 * Paired when the runs share at least half of the smaller run's videos: then each video
 * rated in both runs is one pair, and videos rated in one run only are left out.
 */
export function comparisonDesign(
  a: RunInput,
  b: RunInput,
): { design: 'paired' | 'unpaired'; shared: number } {
  const va = new Set(a.items.map((i) => i.videoUri));
  const vb = new Set(b.items.map((i) => i.videoUri));
  const shared = [...va].filter((v) => vb.has(v)).length;
  const paired = shared > 0 && shared * 2 >= Math.min(va.size, vb.size);
  return { design: paired ? 'paired' : 'unpaired', shared };
}

function videoMeans(ratings: readonly Rating[]): Map<string, number> {
  const sum = new Map<string, [number, number]>();
  for (const r of ratings) {
    const s = sum.get(r.video) ?? [0, 0];
    sum.set(r.video, [s[0] + r.value, s[1] + 1]);
  }
  return new Map([...sum].map(([v, [s, n]]) => [v, s / n]));
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample variance (n - 1). */
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};
const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function compareCriterion(
  c: Criterion,
  design: 'paired' | 'unpaired',
  ra: readonly Rating[],
  rb: readonly Rating[],
  options: BootstrapOptions,
): CriterionComparisonDto {
  const ma = videoMeans(ra);
  const mb = videoMeans(rb);
  const both = [...ma.keys()].filter((v) => mb.has(v));
  const videos = { a: ma.size, b: mb.size, both: both.length };
  const raters = new Indexer();
  const base = { criterion: c.id, label: c.label, videos };

  if (design === 'paired') {
    const units = new Indexer();
    const keep = new Set(both);
    const toObs = (rs: readonly Rating[]): Observation[] =>
      rs
        .filter((r) => keep.has(r.video))
        .map((r) => ({ unit: units.of(r.video), rater: raters.of(r.rater), value: r.value }));
    const diffs = both.map((v) => (ma.get(v) as number) - (mb.get(v) as number));
    const boot = bootstrapPairedDifference(toObs(ra), toObs(rb), options);
    const needed =
      diffs.length >= 2
        ? videosNeeded({ design, difference: mean(diffs), sd: Math.sqrt(variance(diffs)) })
        : null;
    return {
      ...base,
      meanA: both.length ? mean(both.map((v) => ma.get(v) as number)) : null,
      meanB: both.length ? mean(both.map((v) => mb.get(v) as number)) : null,
      difference: orNull(boot.estimate),
      interval: boot.interval ? { low: boot.interval.low, high: boot.interval.high } : null,
      test: diffs.length ? { name: 'wilcoxon', ...wilcoxonSignedRank(diffs) } : null,
      wins: {
        a: diffs.filter((d) => d > 0).length,
        tie: diffs.filter((d) => d === 0).length,
        b: diffs.filter((d) => d < 0).length,
      },
      power: { needed, more: needed === null ? null : Math.max(0, needed - both.length) },
    };
  }

  const ua = new Indexer();
  const ub = new Indexer();
  const obsA = ra.map((r) => ({ unit: ua.of(r.video), rater: raters.of(r.rater), value: r.value }));
  const obsB = rb.map((r) => ({ unit: ub.of(r.video), rater: raters.of(r.rater), value: r.value }));
  const xa = [...ma.values()];
  const xb = [...mb.values()];
  const boot = bootstrapUnpairedDifference(obsA, obsB, options);
  const pooled =
    xa.length >= 2 && xb.length >= 2
      ? Math.sqrt(
          ((xa.length - 1) * variance(xa) + (xb.length - 1) * variance(xb)) / (xa.length + xb.length - 2),
        )
      : NaN;
  const needed = Number.isNaN(pooled)
    ? null
    : videosNeeded({ design, difference: mean(xa) - mean(xb), sd: pooled });
  return {
    ...base,
    meanA: xa.length ? mean(xa) : null,
    meanB: xb.length ? mean(xb) : null,
    difference: orNull(boot.estimate),
    interval: boot.interval ? { low: boot.interval.low, high: boot.interval.high } : null,
    test: xa.length && xb.length ? { name: 'mann-whitney', ...mannWhitneyU(xa, xb) } : null,
    wins: null,
    power: {
      needed,
      more: needed === null ? null : Math.max(0, needed - xa.length) + Math.max(0, needed - xb.length),
    },
  };
}

/**
 * Compare run A with run B on every numeric criterion (scale or yes/no) that both rubrics
 * share by id and type. Each rater's latest submission per item counts.
 */
export function compareRuns(
  a: RunInput,
  b: RunInput,
  submissions: readonly Submission[],
  options: BootstrapOptions = {},
): RunComparisonDto {
  const { design, shared } = comparisonDesign(a, b);
  const la = latestSubmissions(submissions, a.runId);
  const lb = latestSubmissions(submissions, b.runId);
  const criteria = a.rubric.criteria.filter((c) => {
    const other = b.rubric.criteria.find((o) => o.id === c.id);
    return other?.type === c.type && c.type !== 'choice';
  });
  return {
    a: a.runId,
    b: b.runId,
    design,
    sharedVideos: shared,
    criteria: criteria.map((c) => compareCriterion(c, design, ratingsOf(c, la), ratingsOf(c, lb), options)),
    method: methodOf(options),
  };
}
