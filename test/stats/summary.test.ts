import { compareRuns, runStats, type Rubric, type RunInput, type Submission } from '@fts/shared';

const rubric: Rubric = {
  criteria: [
    { id: 'overall', label: 'Overall', type: 'scale', min: 1, max: 5, required: true },
    { id: 'steps_ok', label: 'Steps right?', type: 'yesno', required: false },
    {
      id: 'kind',
      label: 'Kind',
      type: 'choice',
      required: false,
      options: [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
    },
  ],
  comment: true,
};

const video = (i: number): string => `gs://b/v${i}.mp4`;
const run = (runId: string, n: number, offset = 0): RunInput => ({
  runId,
  rubric,
  items: Array.from({ length: n }, (_, i) => ({ id: `item${i + offset}`, videoUri: video(i + offset) })),
});

let seq = 0;
function sub(
  runId: string,
  rater: string,
  item: number,
  answers: Submission['answers'],
  at?: string,
): Submission {
  seq++;
  return {
    submission_id: `s${seq}`,
    submitted_at:
      at ??
      `2026-11-20T10:${String(Math.floor(seq / 60)).padStart(2, '0')}:${String(seq % 60).padStart(2, '0')}.000Z`,
    rater_id: rater,
    run_id: runId,
    item_id: `item${item}`,
    video_uri: video(item),
    answers,
    comment: '',
  };
}

describe('runStats', () => {
  it('counts each rater once per item (latest submission) and summarises each criterion', () => {
    const subs = [
      sub('r1', 'ann', 0, { overall: 1 }, '2026-11-20T10:00:00.000Z'),
      sub('r1', 'ann', 0, { overall: 5, steps_ok: 'yes', kind: 'a' }, '2026-11-20T11:00:00.000Z'),
      sub('r1', 'bob', 0, { overall: 4, steps_ok: 'no', kind: 'a' }),
      sub('r1', 'ann', 1, { overall: 2, steps_ok: 'no', kind: 'b' }),
      sub('r1', 'bob', 1, { overall: 2 }),
      sub('r1', 'bob', 2, { overall: 3, steps_ok: 'yes' }),
      sub('other', 'bob', 2, { overall: 1 }),
    ];
    const s = runStats(run('r1', 4), subs, { target: 3, replicates: 300 });
    expect(s).toMatchObject({ runId: 'r1', itemCount: 4, submissions: 6, ratings: 5, raters: 2, target: 3 });
    expect(s.coverage.map((c) => c.ratings)).toEqual([2, 2, 1, 0]);
    const [overall, steps, kind] = s.criteria;
    // Item means 4.5, 2, 3: each item counts once.
    expect(overall).toMatchObject({ ratings: 5, items: 3, raters: 2, median: 3 });
    expect(overall?.mean).toBeCloseTo((4.5 + 2 + 3) / 3, 12);
    expect(overall?.distribution).toEqual([
      { value: '1', count: 0 },
      { value: '2', count: 2 },
      { value: '3', count: 1 },
      { value: '4', count: 1 },
      { value: '5', count: 1 },
    ]);
    expect(overall?.interval?.low).toBeLessThanOrEqual(overall?.mean as number);
    expect(overall?.interval?.high).toBeGreaterThanOrEqual(overall?.mean as number);
    expect(overall?.agreement.pairableUnits).toBe(2);
    // yes = 1, no = 0: the mean is the share of "yes" (items: 0.5, 0, 1).
    expect(steps).toMatchObject({ ratings: 4, items: 3, min: 0, max: 1 });
    expect(steps?.mean).toBeCloseTo(0.5, 12);
    expect(steps?.distribution).toEqual([
      { value: 'yes', count: 2 },
      { value: 'no', count: 2 },
    ]);
    expect(kind).toMatchObject({ mean: null, interval: null, ratings: 3 });
    expect(kind?.distribution).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 1 },
    ]);
    expect(kind?.agreement).toMatchObject({ nominal: null, pairableUnits: 1 });
  });

  it('gives the same interval for the same seed and a different one for another seed', () => {
    const subs = Array.from({ length: 30 }, (_, i) => i).flatMap((i) => [
      sub('r1', 'ann', i, { overall: (i % 5) + 1 }),
      sub('r1', 'bob', i, { overall: ((i * 7) % 5) + 1 }),
      sub('r1', 'cid', i, { overall: ((i * 3) % 4) + 1 }),
    ]);
    const a = runStats(run('r1', 30), subs, { replicates: 500, seed: 3 }).criteria[0]?.interval;
    const b = runStats(run('r1', 30), subs, { replicates: 500, seed: 3 }).criteria[0]?.interval;
    const c = runStats(run('r1', 30), subs, { replicates: 500, seed: 4 }).criteria[0]?.interval;
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('makes a careless rater stand out by their deviation from the others', () => {
    const truth = [1, 2, 3, 4, 5, 3, 2, 4];
    const subs = truth.flatMap((t, i) => [
      sub('r1', 'ann', i, { overall: t }),
      sub('r1', 'bob', i, { overall: Math.min(5, t + (i % 2)) }),
      sub('r1', 'cid', i, { overall: t }),
      sub('r1', 'zed', i, { overall: 5 - (i % 2) * 4 }),
    ]);
    const s = runStats(run('r1', 8), subs, { replicates: 200 });
    const dev = s.criteria[0]?.raterDeviation ?? [];
    expect(dev[0]?.rater).toBe('zed');
    expect(dev[0]?.sharedItems).toBe(8);
    expect(dev[0]?.meanAbsDeviation as number).toBeGreaterThan(1.5 * (dev[1]?.meanAbsDeviation as number));
    const ann = dev.find((d) => d.rater === 'ann');
    expect(ann?.meanDeviation).toBeLessThan(0.5);
  });

  it('handles one rater, one item, all values equal, and no ratings at all', () => {
    const one = runStats(run('r1', 3), [sub('r1', 'ann', 0, { overall: 4 })], { replicates: 100 });
    expect(one.criteria[0]).toMatchObject({ ratings: 1, items: 1, raters: 1, mean: 4, median: 4 });
    expect(one.criteria[0]?.interval).toEqual({ low: 4, high: 4 });
    expect(one.criteria[0]?.agreement).toMatchObject({ ordinal: null, interval: null, pairableUnits: 0 });
    expect(one.criteria[0]?.raterDeviation).toEqual([
      { rater: 'ann', ratings: 1, sharedItems: 0, meanDeviation: null, meanAbsDeviation: null },
    ]);
    const equal = runStats(
      run('r1', 3),
      [0, 1, 2].flatMap((i) => [sub('r1', 'ann', i, { overall: 3 }), sub('r1', 'bob', i, { overall: 3 })]),
      { replicates: 100 },
    );
    expect(equal.criteria[0]).toMatchObject({ mean: 3, interval: { low: 3, high: 3 } });
    expect(equal.criteria[0]?.agreement).toMatchObject({ interval: null, pairableUnits: 3 });
    const none = runStats(run('r1', 3), []);
    expect(none.criteria[0]).toMatchObject({ ratings: 0, mean: null, median: null, interval: null });
    // An optional criterion nobody answered.
    expect(one.criteria[1]).toMatchObject({ ratings: 0, mean: null, interval: null });
  });
});

describe('compareRuns', () => {
  const raters = ['ann', 'bob', 'cid'];
  const scores = (runId: string, f: (i: number, r: number) => number, n = 12, offset = 0): Submission[] =>
    Array.from({ length: n }, (_, i) => i + offset).flatMap((i) =>
      raters.map((r, k) => sub(runId, r, i, { overall: Math.max(1, Math.min(5, f(i, k))) })),
    );

  it('pairs by video when the runs cover the same videos', () => {
    const subs = [
      ...scores('A', (i, k) => 3 + (i % 3 === 0 ? 1 : 0) + (k === 2 ? 1 : 0)),
      ...scores('B', (i) => 2 + (i % 2)),
    ];
    const c = compareRuns(run('A', 12), run('B', 12), subs, { replicates: 400 });
    expect(c).toMatchObject({ a: 'A', b: 'B', design: 'paired', sharedVideos: 12 });
    expect(c.criteria.map((x) => x.criterion)).toEqual(['overall', 'steps_ok']);
    const o = c.criteria[0];
    expect(o?.videos).toEqual({ a: 12, b: 12, both: 12 });
    expect(o?.test?.name).toBe('wilcoxon');
    expect(o?.test?.p).toBeLessThan(0.01);
    expect((o?.wins?.a ?? 0) + (o?.wins?.tie ?? 0) + (o?.wins?.b ?? 0)).toBe(12);
    expect(o?.wins?.b).toBe(0);
    expect(o?.difference).toBeCloseTo((o?.meanA as number) - (o?.meanB as number), 12);
    expect(o?.interval?.low).toBeGreaterThan(0);
    expect(o?.power.needed).toBeGreaterThanOrEqual(2);
    // An unanswered optional criterion compares nothing.
    expect(c.criteria[1]).toMatchObject({
      test: null,
      difference: null,
      interval: null,
      power: { needed: null },
    });
  });

  it('pairs only videos rated in both runs', () => {
    const subs = [...scores('A', () => 4), ...scores('B', () => 3, 5)];
    const c = compareRuns(run('A', 12), run('B', 12), subs, { replicates: 100 });
    expect(c.criteria[0]).toMatchObject({
      videos: { a: 12, b: 5, both: 5 },
      meanA: 4,
      meanB: 3,
      difference: 1,
    });
    expect(c.criteria[0]?.wins).toEqual({ a: 5, tie: 0, b: 0 });
  });

  it('falls back to an unpaired comparison when the runs share no videos', () => {
    const subs = [...scores('A', (i) => 2 + (i % 4)), ...scores('B', (i) => 1 + (i % 3), 10, 100)];
    const c = compareRuns(run('A', 12), run('B', 10, 100), subs, { replicates: 400 });
    expect(c).toMatchObject({ design: 'unpaired', sharedVideos: 0 });
    const o = c.criteria[0];
    expect(o?.test?.name).toBe('mann-whitney');
    expect(o?.wins).toBeNull();
    expect(o?.videos).toEqual({ a: 12, b: 10, both: 0 });
    expect(o?.meanA).toBeCloseTo(3.5, 12);
    expect(o?.meanB).toBeCloseTo(2, 12);
    expect(o?.interval?.low).toBeLessThan(o?.difference as number);
    expect(o?.interval?.high).toBeGreaterThan(o?.difference as number);
  });

  it('reports no power estimate when the runs do not differ', () => {
    const subs = [...scores('A', (i) => 1 + (i % 5)), ...scores('B', (i) => 1 + (i % 5))];
    const o = compareRuns(run('A', 12), run('B', 12), subs, { replicates: 100 }).criteria[0];
    expect(o).toMatchObject({
      difference: 0,
      wins: { a: 0, tie: 12, b: 0 },
      power: { needed: null, more: null },
    });
    expect(o?.test?.p).toBe(1);
  });

  it('compares only criteria both rubrics have, with the same type', () => {
    const other: Rubric = {
      criteria: [
        { id: 'overall', label: 'Overall', type: 'scale', min: 1, max: 5, required: true },
        { id: 'steps_ok', label: 'Steps', type: 'scale', min: 0, max: 1, required: false },
      ],
      comment: true,
    };
    const subs = [...scores('A', () => 4), ...scores('B', () => 3)];
    const c = compareRuns(run('A', 12), { ...run('B', 12), rubric: other }, subs, { replicates: 50 });
    expect(c.criteria.map((x) => x.criterion)).toEqual(['overall']);
  });
});
