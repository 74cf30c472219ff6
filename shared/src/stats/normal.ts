/** The standard normal distribution: density, CDF, upper tail and quantile, to ~1e-14. */

const SQRT2PI = Math.sqrt(2 * Math.PI);

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT2PI;
}

/** Upper tail P(Z > x) for x >= 0. */
function upperTail(x: number): number {
  if (x < 3) {
    // Series: Phi(x) - 1/2 = phi(x) * sum x^(2k+1) / (1*3*...*(2k+1)).
    let term = x;
    let sum = x;
    for (let k = 1; k < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
      term *= (x * x) / (2 * k + 1);
      sum += term;
    }
    return 0.5 - normalPdf(x) * sum;
  }
  // Continued fraction Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), by modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 500; k++) {
    D = x + k * D;
    D = D === 0 ? tiny : D;
    C = x + k / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return normalPdf(x) / f;
}

/** P(Z <= x). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return x >= 0 ? 1 - upperTail(x) : upperTail(-x);
}

/** P(Z > x), accurate far into the tail. */
export function normalSf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 1;
  return x >= 0 ? upperTail(x) : 1 - upperTail(-x);
}

const A = [
  -39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

const poly = (c: number[], x: number): number => c.reduce((acc, k) => acc * x + k, 0);

/** The quantile z with P(Z <= z) = p: Acklam's rational approximation, refined by one Halley step. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(C, q) / (poly(D, q) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(C, q) / (poly(D, q) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(A, r) * q) / (poly(B, r) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * SQRT2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + (x * u) / 2);
}
