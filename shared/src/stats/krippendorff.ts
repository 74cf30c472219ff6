/**
 * Krippendorff's alpha for any number of raters with missing ratings, after
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": build the coincidence
 * matrix from every pairable unit (a unit with at least two ratings), then
 * alpha = 1 - D_observed / D_expected.
 */

/** How differences between two values count. */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval';

export interface AlphaResult {
  /** The coefficient; null when it is undefined (no pairable unit, or every pairable value equal). */
  alpha: number | null;
  /** Units (items) with two or more ratings: the only ones alpha rests on. */
  pairableUnits: number;
  /** Ratings in those units. */
  pairableValues: number;
}

/**
 * Alpha over `units`: one array per unit holding the values it received (missing ratings
 * simply left out). Values are compared as numbers; for `nominal` only equality counts.
 */
export function krippendorffAlpha(units: readonly (readonly number[])[], level: AlphaLevel): AlphaResult {
  const pairable = units.filter((u) => u.length >= 2);
  const pairableValues = pairable.reduce((a, u) => a + u.length, 0);
  const values = [...new Set(pairable.flat())].sort((a, b) => a - b);
  const none = { alpha: null, pairableUnits: pairable.length, pairableValues };
  if (pairable.length === 0 || values.length < 2) return none;

  const index = new Map(values.map((v, i) => [v, i]));
  const V = values.length;
  // Coincidence matrix: each ordered pair of ratings within a unit adds 1 / (m_u - 1).
  const o = Array.from({ length: V }, () => new Float64Array(V));
  for (const u of pairable) {
    const w = 1 / (u.length - 1);
    const counts = new Map<number, number>();
    for (const v of u) counts.set(index.get(v) as number, (counts.get(index.get(v) as number) ?? 0) + 1);
    for (const [c, nc] of counts) {
      for (const [k, nk] of counts) {
        (o[c] as Float64Array)[k] =
          ((o[c] as Float64Array)[k] as number) + w * (c === k ? nc * (nc - 1) : nc * nk);
      }
    }
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);

  const delta2 = (c: number, k: number): number => {
    if (c === k) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return ((values[c] as number) - (values[k] as number)) ** 2;
    // Ordinal: how many values lie between c and k, counting the two ends by half.
    const [lo, hi] = c < k ? [c, k] : [k, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g] as number;
    return (s - ((nc[c] as number) + (nc[k] as number)) / 2) ** 2;
  };

  let observed = 0;
  let expected = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      const d = delta2(c, k);
      if (d === 0) continue;
      observed += ((o[c] as Float64Array)[k] as number) * d;
      expected += (nc[c] as number) * (nc[k] as number) * d;
    }
  }
  if (expected === 0) return none;
  return { alpha: 1 - ((n - 1) * observed) / expected, pairableUnits: pairable.length, pairableValues };
}
