import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bootstrapMean,
  bootstrapPairedDifference,
  mannWhitneyU,
  normalCdf,
  normalQuantile,
  normalSf,
  videosNeeded,
  wilcoxonSignedRank,
} from '@fts/shared';

// Expected values come from SciPy; test/stats/make_fixtures.py made them.
const fixture = <T>(name: string): T =>
  JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T;

/** |actual - expected| within a relative tolerance (and a tiny absolute floor). */
function close(actual: number, expected: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}

describe('the standard normal against scipy.stats.norm', () => {
  const f = fixture<{ cdf: [number, number][]; sf: [number, number][]; ppf: [number, number][] }>(
    'normal.json',
  );
  it.each(f.cdf)('cdf(%p)', (x, want) => close(normalCdf(x), want, 1e-12));
  it.each(f.sf)('sf(%p)', (x, want) => close(normalSf(x), want, 1e-12));
  it.each(f.ppf)('ppf(%p)', (p, want) => close(normalQuantile(p), want, 1e-10));
});

describe('Wilcoxon signed-rank against scipy.stats.wilcoxon(d, correction=True)', () => {
  const f = fixture<{ cases: { name: string; diffs: number[]; statistic: number; p: number }[] }>(
    'wilcoxon.json',
  );
  it.each(f.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = wilcoxonSignedRank(c.diffs);
    expect(r.statistic).toBeCloseTo(c.statistic, 9);
    close(r.p, c.p, 1e-9);
  });
});

describe('Mann-Whitney U against scipy.stats.mannwhitneyu (defaults)', () => {
  const f = fixture<{ cases: { name: string; x: number[]; y: number[]; statistic: number; p: number }[] }>(
    'mannwhitney.json',
  );
  it.each(f.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = mannWhitneyU(c.x, c.y);
    expect(r.statistic).toBeCloseTo(c.statistic, 9);
    close(r.p, c.p, 1e-9);
  });
});

describe('cluster bootstrap against scipy.stats.bootstrap where they coincide', () => {
  const f = fixture<{
    mean: { values: number[]; low: number; high: number };
    pairedDiff: { diffs: number[]; low: number; high: number };
  }>('bootstrap.json');
  const opts = { replicates: 20000, seed: 7 };

  it('one rater, one rating per item: the percentile interval of the item values', () => {
    const obs = f.mean.values.map((value, unit) => ({ unit, rater: 0, value }));
    const r = bootstrapMean(obs, opts);
    expect(r.estimate).toBeCloseTo(f.mean.values.reduce((a, b) => a + b, 0) / f.mean.values.length, 12);
    // Monte Carlo error of a 2.5% quantile with 20000 replicates is about 0.01 here.
    expect(Math.abs((r.interval?.low ?? NaN) - f.mean.low)).toBeLessThan(0.04);
    expect(Math.abs((r.interval?.high ?? NaN) - f.mean.high)).toBeLessThan(0.04);
  });

  it('paired by video, one rater: the percentile interval of the differences', () => {
    const a = f.pairedDiff.diffs.map((d, unit) => ({ unit, rater: 0, value: 3 + d }));
    const b = f.pairedDiff.diffs.map((_d, unit) => ({ unit, rater: 0, value: 3 }));
    const r = bootstrapPairedDifference(a, b, opts);
    expect(Math.abs((r.interval?.low ?? NaN) - f.pairedDiff.low)).toBeLessThan(0.04);
    expect(Math.abs((r.interval?.high ?? NaN) - f.pairedDiff.high)).toBeLessThan(0.04);
  });
});

describe('videos needed against the exact noncentral-t answer', () => {
  const f = fixture<{ cases: { design: 'paired' | 'unpaired'; effect: number; n: number }[] }>('power.json');
  it.each(f.cases.map((c) => [c.design, c.effect, c] as const))('%s, effect %p', (design, effect, c) => {
    const n = videosNeeded({ design, difference: effect * 0.7, sd: 0.7 });
    expect(n).not.toBeNull();
    expect(Math.abs((n as number) - c.n)).toBeLessThanOrEqual(1);
  });
});
