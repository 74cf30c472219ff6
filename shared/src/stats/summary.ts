/** Per-run results: counts, means with intervals, distributions, agreement, rater deviation. */
import type { Criterion, Rubric } from '../rubric';
import type { Submission } from '../submission';
import { bootstrapMean, quantileSorted, type BootstrapOptions, type Observation } from './bootstrap';
import { krippendorffAlpha } from './krippendorff';
import type { CriterionStatsDto, MethodDto, RaterDeviationDto, RunStatsDto } from './types';

/** What the statistics need of a run. */
export interface RunInput {
  runId: string;
  rubric: Rubric;
  items: readonly { id: string; videoUri: string }[];
}

export interface StatsOptions extends BootstrapOptions {
  /** Ratings per item the allocation aims at (shown with coverage). */
  target?: number;
}

export const DEFAULT_METHOD: MethodDto = { bootstrapReplicates: 2000, seed: 1, level: 0.95 };

export function methodOf(options: BootstrapOptions): MethodDto {
  return {
    bootstrapReplicates: options.replicates ?? DEFAULT_METHOD.bootstrapReplicates,
    seed: options.seed ?? DEFAULT_METHOD.seed,
    level: options.level ?? DEFAULT_METHOD.level,
  };
}

/** Each rater's latest submission per item of `runId` (later `submitted_at` wins; then later in the list). */
export function latestSubmissions(submissions: readonly Submission[], runId: string): Submission[] {
  const latest = new Map<string, Submission>();
  for (const s of submissions) {
    if (s.run_id !== runId) continue;
    const key = `${s.rater_id}\n${s.item_id}`;
    const prev = latest.get(key);
    if (!prev || s.submitted_at >= prev.submitted_at) latest.set(key, s);
  }
  return [...latest.values()];
}

/** A criterion's answer as a number: scale as is, yes = 1 and no = 0; undefined otherwise. */
export function numericAnswer(c: Criterion, v: unknown): number | undefined {
  if (c.type === 'yesno') return v === 'yes' ? 1 : v === 'no' ? 0 : undefined;
  if (c.type !== 'scale') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** One answer of one criterion: who, which item and video, and the value. */
export interface Rating {
  rater: string;
  item: string;
  video: string;
  value: number;
}

/** The numeric ratings of `c` among `latest` submissions. */
export function ratingsOf(c: Criterion, latest: readonly Submission[]): Rating[] {
  const out: Rating[] = [];
  for (const s of latest) {
    const value = numericAnswer(c, s.answers[c.id]);
    if (value !== undefined) out.push({ rater: s.rater_id, item: s.item_id, video: s.video_uri, value });
  }
  return out;
}

/** Dense integer ids for strings, in first-seen order. */
export class Indexer {
  readonly ids = new Map<string, number>();
  of(key: string): number {
    let i = this.ids.get(key);
    if (i === undefined) this.ids.set(key, (i = this.ids.size));
    return i;
  }
}

export function median(values: readonly number[]): number | null {
  return values.length
    ? quantileSorted(
        [...values].sort((a, b) => a - b),
        0.5,
      )
    : null;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Each rater's mean difference from the mean of the other raters of the same items. */
export function raterDeviation(ratings: readonly Rating[]): RaterDeviationDto[] {
  const byItem = groupBy(ratings, (r) => r.item);
  const byRater = groupBy(ratings, (r) => r.rater);
  return [...byRater.entries()]
    .map(([rater, own]) => {
      const diffs: number[] = [];
      for (const r of own) {
        const others = (byItem.get(r.item) ?? []).filter((o) => o.rater !== rater);
        if (others.length) diffs.push(r.value - others.reduce((a, o) => a + o.value, 0) / others.length);
      }
      const mean = (xs: number[]): number | null =>
        xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
      return {
        rater,
        ratings: own.length,
        sharedItems: diffs.length,
        meanDeviation: mean(diffs),
        meanAbsDeviation: mean(diffs.map(Math.abs)),
      };
    })
    .sort((a, b) => (b.meanAbsDeviation ?? -1) - (a.meanAbsDeviation ?? -1) || (a.rater < b.rater ? -1 : 1));
}

function criterionStats(
  c: Criterion,
  latest: readonly Submission[],
  options: BootstrapOptions,
): CriterionStatsDto {
  const answered = latest.filter((s) => s.answers[c.id] !== undefined && s.answers[c.id] !== '');
  const base = {
    criterion: c.id,
    label: c.label,
    type: c.type,
    ratings: answered.length,
    items: new Set(answered.map((s) => s.item_id)).size,
    raters: new Set(answered.map((s) => s.rater_id)).size,
  };
  if (c.type === 'choice') {
    const units = [...groupBy(answered, (s) => s.item_id).values()].map((g) =>
      g.map((s) => c.options.findIndex((o) => o.value === s.answers[c.id])).filter((i) => i >= 0),
    );
    const nominal = krippendorffAlpha(units, 'nominal');
    return {
      ...base,
      mean: null,
      median: null,
      interval: null,
      distribution: c.options.map((o) => ({
        value: o.value,
        count: answered.filter((s) => s.answers[c.id] === o.value).length,
      })),
      agreement: {
        ordinal: null,
        interval: null,
        nominal: nominal.alpha,
        pairableUnits: nominal.pairableUnits,
      },
      raterDeviation: [],
    };
  }
  const ratings = ratingsOf(c, answered);
  const items = new Indexer();
  const raters = new Indexer();
  const obs: Observation[] = ratings.map((r) => ({
    unit: items.of(r.item),
    rater: raters.of(r.rater),
    value: r.value,
  }));
  const { estimate, interval } = bootstrapMean(obs, options);
  const units = [...groupBy(ratings, (r) => r.item).values()].map((g) => g.map((r) => r.value));
  const ordinal = krippendorffAlpha(units, 'ordinal');
  const intervalAlpha = krippendorffAlpha(units, 'interval');
  const [min, max] = c.type === 'scale' ? [c.min, c.max] : [0, 1];
  const points =
    c.type === 'scale'
      ? Array.from({ length: c.max - c.min + 1 }, (_, i) => ({ value: String(c.min + i), n: c.min + i }))
      : [
          { value: 'yes', n: 1 },
          { value: 'no', n: 0 },
        ];
  return {
    ...base,
    min,
    max,
    mean: Number.isNaN(estimate) ? null : estimate,
    median: median(ratings.map((r) => r.value)),
    interval: interval ? { low: interval.low, high: interval.high } : null,
    distribution: points.map((p) => ({
      value: p.value,
      count: ratings.filter((r) => r.value === p.n).length,
    })),
    agreement: {
      ordinal: ordinal.alpha,
      interval: intervalAlpha.alpha,
      nominal: null,
      pairableUnits: ordinal.pairableUnits,
    },
    raterDeviation: raterDeviation(ratings),
  };
}

/** Everything `GET /runs/:id/stats` answers, from a run and every submission. */
export function runStats(
  run: RunInput,
  submissions: readonly Submission[],
  options: StatsOptions = {},
): RunStatsDto {
  const all = submissions.filter((s) => s.run_id === run.runId);
  const latest = latestSubmissions(all, run.runId);
  const perItem = new Map<string, number>();
  for (const s of latest) perItem.set(s.item_id, (perItem.get(s.item_id) ?? 0) + 1);
  return {
    runId: run.runId,
    itemCount: run.items.length,
    submissions: all.length,
    ratings: latest.length,
    raters: new Set(latest.map((s) => s.rater_id)).size,
    target: options.target ?? 3,
    coverage: run.items.map((i) => ({ itemId: i.id, videoUri: i.videoUri, ratings: perItem.get(i.id) ?? 0 })),
    criteria: run.rubric.criteria.map((c) => criterionStats(c, latest, options)),
    method: methodOf(options),
  };
}
