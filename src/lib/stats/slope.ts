/**
 * The exponent of a power law read from points: the least-squares slope of log y against log x (2 for a
 * quantity that quadruples when x doubles, whatever its constant factor). Q1 fits it to measured attention times
 * (experiments/q1/checks.ts) and the site to a snapshot's rows (src/site/slopes.ts), so the two cannot fit a slope
 * differently.
 */

export interface Point {
  x: number;
  y: number;
}

/** Least-squares slope of log y against log x. */
export function logLogSlope(points: readonly Point[]): number {
  const xs = points.map((point) => Math.log(point.x));
  const ys = points.map((point) => Math.log(point.y));
  const meanX = xs.reduce((sum, value) => sum + value, 0) / xs.length;
  const meanY = ys.reduce((sum, value) => sum + value, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  for (let index = 0; index < xs.length; index++) {
    covariance += (xs[index] - meanX) * (ys[index] - meanY);
    variance += (xs[index] - meanX) ** 2;
  }
  return covariance / variance;
}
