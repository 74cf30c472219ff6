/**
 * How many rated videos a comparison needs to detect a difference, by the normal
 * approximation to the t-test with Guenther's (1981) small-sample correction (which adds
 * z^2/2 per paired sample, z^2/4 per group). Two-sided test.
 */
import { normalQuantile } from './normal';

export interface PowerInput {
  design: 'paired' | 'unpaired';
  /** The difference to detect (the observed difference in means). */
  difference: number;
  /** Paired: SD of the per-video differences. Unpaired: pooled SD of per-video means. */
  sd: number;
  /** Significance level; 0.05 by default. */
  alpha?: number;
  /** Wanted power; 0.8 by default. */
  power?: number;
}

/**
 * Videos needed: paired, the number of videos rated in both runs; unpaired, the number of
 * videos per run. Null when there is no difference to detect, or no spread to estimate it from.
 */
export function videosNeeded(input: PowerInput): number | null {
  const { difference, sd } = input;
  if (!Number.isFinite(difference) || !Number.isFinite(sd) || difference === 0 || sd <= 0) return null;
  const za = normalQuantile(1 - (input.alpha ?? 0.05) / 2);
  const zb = normalQuantile(input.power ?? 0.8);
  const k = ((za + zb) * sd) / Math.abs(difference);
  const n = input.design === 'paired' ? k * k + (za * za) / 2 : 2 * k * k + (za * za) / 4;
  return Math.max(2, Math.ceil(n));
}
