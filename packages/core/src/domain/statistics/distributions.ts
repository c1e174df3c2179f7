// The normal and Student-t distributions the tests of change use, from stdlib's reviewed implementations.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** The two-sided 95 % critical value of the standard normal distribution (the one scoring.ts uses). */
export const Z95 = 1.959964;

/** Two-sided p-value of a z statistic: 2·(1 − Φ(|z|)). */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z), 0, 1)));
}

/** Two-sided p-value of a t statistic with df degrees of freedom (df may be fractional, as Welch's is). */
export function tTwoSidedP(t: number, df: number): number {
  return Math.min(1, 2 * (1 - tCdf(Math.abs(t), df)));
}

/** The two-sided 95 % critical value of Student's t with df (possibly fractional) degrees of freedom. */
export function tCritical95Fractional(df: number): number {
  return tQuantile(0.975, df);
}
