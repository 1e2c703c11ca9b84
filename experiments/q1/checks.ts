/**
 * Question 1's derivations executed: the feature map's dimension and identity, linear vs quadratic attention, the
 * approximation error of the truncated exponential, and the measured cost of both forms against the sequence length.
 */
import type { Progress } from '../../src/lib/effects.ts';
import type { Check } from '../../src/lib/harness/experiment.ts';
import type { Matrix } from '../../src/lib/models/linear-attention.ts';
import {
  dot,
  featureDimension,
  kernelAttention,
  linearAttention,
  matrix,
  maxRelativeError,
  quadraticFeatureAttention,
  softmaxAttention,
  symmetricFeatureDimension,
  symmetricFeatureMap,
  tensorFeatureMap,
  truncatedExp,
} from '../../src/lib/models/linear-attention.ts';
import type { Random } from '../../src/lib/random.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import { logLogSlope } from '../../src/lib/stats/slope.ts';
import { summarize } from '../../src/lib/stats/summary.ts';
import type { LinearAttentionConfig } from './config.ts';

type Config = LinearAttentionConfig;

function gaussianMatrix(random: Random, rows: number, cols: number, std = 1): Matrix {
  const m = matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random.normal() * std;
  return m;
}

function gaussianVector(random: Random, length: number, std: number): Float64Array {
  return Float64Array.from({ length }, () => random.normal() * std);
}

/** Issue 2, point 11: φ(q)ᵀφ(k) = Σ_{n<K}(qᵀk)ⁿ/n! and dim φ = M(D, K), for both maps. */
export function checkIdentities(config: Config, random: Random) {
  let worstTensor = 0;
  let worstSymmetric = 0;
  let worstDimension = 0;
  const dimensions: Row[] = [];
  for (let dims = 1; dims <= config.maxDims; dims++) {
    for (let terms = 1; terms <= config.maxTerms; terms++) {
      const tensor = tensorFeatureMap(terms);
      const symmetric = symmetricFeatureMap(terms);
      const probe = gaussianVector(random, dims, 1);
      const built = { tensor: tensor(probe).length, symmetric: symmetric(probe).length };
      const formula = { tensor: featureDimension(dims, terms), symmetric: symmetricFeatureDimension(dims, terms) };
      worstDimension = Math.max(worstDimension, Math.abs(built.tensor - formula.tensor), Math.abs(built.symmetric - formula.symmetric));
      dimensions.push({ D: dims, K: terms, M: built.tensor, Mformula: formula.tensor, Msymmetric: built.symmetric, MsymmetricFormula: formula.symmetric });
      for (let s = 0; s < config.samplesPerCase; s++) {
        // Keep qᵀk of order one so every term of the series matters.
        const q = gaussianVector(random, dims, 1 / Math.sqrt(Math.sqrt(dims)));
        const k = gaussianVector(random, dims, 1 / Math.sqrt(Math.sqrt(dims)));
        const expected = truncatedExp(dot(q, k), terms);
        const relative = (value: number) => Math.abs(value - expected) / Math.max(1, Math.abs(expected));
        worstTensor = Math.max(worstTensor, relative(dot(tensor(q), tensor(k))));
        worstSymmetric = Math.max(worstSymmetric, relative(dot(symmetric(q), symmetric(k))));
      }
    }
  }
  const range = `D = 1..${config.maxDims}, K = 1..${config.maxTerms}`;
  const checks: Check[] = [
    check('identity-tensor-map', `φ(q)ᵀφ(k) = Σ_{n<K} (qᵀk)ⁿ/n! with the tensor-power map (${range})`, 1e-9, worstTensor),
    check('identity-symmetric-map', `φ(q)ᵀφ(k) = Σ_{n<K} (qᵀk)ⁿ/n! with the symmetric-monomial map (${range})`, 1e-9, worstSymmetric),
    check('feature-dimension', `dim φ = Σ_{n<K} Dⁿ and C(D+K−1, K−1) for the compressed map (${range})`, 0, worstDimension),
  ];
  return { worst: Math.max(worstTensor, worstSymmetric), dimensions, checks };
}

/** Issue 2, point 12, and Question 1.3: the row-wise softmax identity and the two associations agree. */
export function checkAttentionForms(config: Config, random: Random) {
  const { length, dims, terms } = config;
  const std = 1 / Math.sqrt(Math.sqrt(dims));
  const q = gaussianMatrix(random, length, dims, std);
  const k = gaussianMatrix(random, length, dims, std);
  const v = gaussianMatrix(random, length, dims);
  const phi = tensorFeatureMap(terms);
  const linear = linearAttention(q, k, v, phi);
  const quadratic = quadraticFeatureAttention(q, k, v, phi);
  const truncatedKernel = kernelAttention(q, k, v, (t) => truncatedExp(t, terms));
  const exactKernel = kernelAttention(q, k, v, Math.exp);
  const softmax = softmaxAttention(q, k, v);
  const linearVsQuadratic = maxRelativeError(linear, quadratic);
  const checks: Check[] = [
    check(
      'softmax-as-kernel-attention',
      `Softmax(QKᵀ)V = D⁻¹AV with A = exp(QKᵀ), D = Diag(A1_L) (L = ${length}, D = ${dims})`,
      1e-12,
      maxRelativeError(exactKernel, softmax),
    ),
    check(
      'feature-attention-as-kernel-attention',
      `D⁻¹Φ(Q)Φ(K)ᵀV = D⁻¹AV with A_ij = Σ_{n<${terms}} (q_iᵀk_j)ⁿ/n!`,
      1e-9,
      maxRelativeError(quadratic, truncatedKernel),
    ),
    check('linear-equals-quadratic', `D⁻¹Φ(Q)(Φ(K)ᵀV) = D⁻¹(Φ(Q)Φ(K)ᵀ)V (L = ${length}, M = ${phi(q.data.subarray(0, dims)).length})`, 1e-6, linearVsQuadratic),
  ];
  return { linearVsQuadratic, checks };
}

/** How far the truncated kernel drifts from softmax as qᵀk grows: the series is only good near 0. */
export function approximationTable(config: Config, random: Random): Row[] {
  const { length, dims } = config;
  const rows: Row[] = [];
  for (const scale of config.scales) {
    // With entries N(0, σ²), qᵀk has variance Dσ⁴: σ = √(scale/√D) gives qᵀk a standard deviation of `scale`.
    const std = Math.sqrt(scale / Math.sqrt(dims));
    const q = gaussianMatrix(random, length, dims, std);
    const k = gaussianMatrix(random, length, dims, std);
    const v = gaussianMatrix(random, length, dims);
    const exact = softmaxAttention(q, k, v);
    for (const terms of [3, 5]) {
      const approx = linearAttention(q, k, v, symmetricFeatureMap(terms));
      let sum = 0;
      let max = 0;
      for (let i = 0; i < exact.data.length; i++) {
        const error = Math.abs(approx.data[i] - exact.data[i]);
        sum += error;
        max = Math.max(max, error);
      }
      rows.push({ scale, terms, meanAbsError: sum / exact.data.length, maxAbsError: max });
    }
  }
  return rows;
}

/**
 * Times both forms over L and fits log-log slopes, `sweeps` times over the same inputs (one slope per sweep, so the
 * slopes' spread is measured, not assumed). Best-of-N batches per point, so a busy neighbour only adds noise upward;
 * the points drawn are each (L, form)'s best over the sweeps, the slopes reported their mean over sweeps.
 */
export function measureCost(config: Config, random: Random, now: () => number, progress: Progress) {
  const phi = tensorFeatureMap(3);
  const seconds = { softmax: [] as number[][], linear: [] as number[][] }; // [length][sweep]
  for (const length of config.costLengths) {
    const std = 1 / Math.sqrt(Math.sqrt(config.costDims));
    const q = gaussianMatrix(random, length, config.costDims, std);
    const k = gaussianMatrix(random, length, config.costDims, std);
    const v = gaussianMatrix(random, length, config.costDims);
    const forms = { softmax: () => softmaxAttention(q, k, v), linear: () => linearAttention(q, k, v, phi) };
    for (const method of ['softmax', 'linear'] as const) {
      const times = Array.from({ length: config.sweeps }, () => bestTime(forms[method], now, config.minSecondsPerPoint, config.repeats));
      seconds[method].push(times);
      progress.tick(1, `${method} L=${length}: ${(Math.min(...times) * 1000).toFixed(1)} ms`);
    }
  }
  const slopesOf = (method: 'softmax' | 'linear') =>
    Array.from({ length: config.sweeps }, (_, sweep) => logLogSlope(config.costLengths.map((length, i) => ({ x: length, y: seconds[method][i][sweep] }))));
  const softmax = slopesOf('softmax');
  const linear = slopesOf('linear');
  const ratios = softmax.map((slope, sweep) => slope / linear[sweep]);
  const points = config.costLengths.flatMap((length, i): Row[] =>
    (['softmax', 'linear'] as const).map((method) => ({ L: length, method, seconds: Math.min(...seconds[method][i]) })),
  );
  const [softmaxSummary, linearSummary, ratioSummary] = [softmax, linear, ratios].map((values) => summarize(values));
  const slopes: Record<string, number> = { slopeSoftmax: softmaxSummary.mean, slopeLinear: linearSummary.mean, slopeRatio: ratioSummary.mean };
  if (config.sweeps > 1) {
    Object.assign(slopes, { sweeps: config.sweeps, slopeSoftmaxSd: softmaxSummary.sd, slopeLinearSd: linearSummary.sd, slopeRatioSd: ratioSummary.sd });
  }
  progress.done(`slopes ${slopes.slopeSoftmax.toFixed(2)} (softmax), ${slopes.slopeLinear.toFixed(2)} (linear) over ${config.sweeps} sweep(s)`);
  return { points, sweeps: softmax.map((slope, sweep): Row => ({ sweep: sweep + 1, slopeSoftmax: slope, slopeLinear: linear[sweep] })), slopes };
}

function bestTime(work: () => unknown, now: () => number, minSeconds: number, repeats: number): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const start = now();
    do {
      work();
      calls++;
    } while ((now() - start) / 1000 < minSeconds);
    best = Math.min(best, (now() - start) / 1000 / calls);
  }
  return best;
}

function check(id: string, name: string, tolerance: number, worstError: number): Check {
  return { id, name, tolerance, worstError, passed: worstError <= tolerance };
}
