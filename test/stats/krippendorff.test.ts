import { krippendorffAlpha } from '@fts/shared';

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
// 12 units, missing values. Published: nominal .743, ordinal .815, interval .849.
const NA = null;
const observers: (number | null)[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
  [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
];
const units = Array.from({ length: 12 }, (_, u) =>
  observers.map((row) => row[u]).filter((v): v is number => v !== null && v !== undefined),
);

describe("Krippendorff's alpha", () => {
  it.each([
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
  ] as const)('reproduces the published %s value', (level, published) => {
    const r = krippendorffAlpha(units, level);
    expect(Number((r.alpha as number).toFixed(3))).toBe(published);
  });

  it('rests only on units with two or more values (unit 12 has one)', () => {
    const r = krippendorffAlpha(units, 'interval');
    expect(r.pairableUnits).toBe(11);
    expect(r.pairableValues).toBe(40);
  });

  it('is 1 for perfect agreement and below 0 for systematic disagreement', () => {
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2],
          [3, 3, 3],
        ],
        'interval',
      ).alpha,
    ).toBe(1);
    expect(
      krippendorffAlpha(
        [
          [1, 5],
          [5, 1],
          [1, 5],
        ],
        'interval',
      ).alpha as number,
    ).toBeLessThan(0);
  });

  it('is undefined with one rater, one item per rater, or every value equal', () => {
    expect(krippendorffAlpha([[3], [4], [5]], 'interval')).toEqual({
      alpha: null,
      pairableUnits: 0,
      pairableValues: 0,
    });
    expect(krippendorffAlpha([], 'ordinal').alpha).toBeNull();
    expect(
      krippendorffAlpha(
        [
          [4, 4],
          [4, 4, 4],
        ],
        'ordinal',
      ),
    ).toEqual({ alpha: null, pairableUnits: 2, pairableValues: 5 });
  });

  it('ordinal alpha depends on ranks, not distances', () => {
    const a = krippendorffAlpha(
      [
        [1, 2],
        [2, 3],
        [3, 3],
        [1, 1],
      ],
      'ordinal',
    ).alpha;
    const b = krippendorffAlpha(
      [
        [1, 20],
        [20, 300],
        [300, 300],
        [1, 1],
      ],
      'ordinal',
    ).alpha;
    expect(a).toBeCloseTo(b as number, 12);
    const c = krippendorffAlpha(
      [
        [1, 20],
        [20, 300],
        [300, 300],
        [1, 1],
      ],
      'interval',
    ).alpha;
    expect(c).not.toBeCloseTo(a as number, 3);
  });
});
