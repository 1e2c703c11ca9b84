/**
 * Question 1: self-attention with a McLaurin feature map, in float64 so the derivations can be checked to
 * near machine precision. Matrices are row-major Float64Arrays.
 *
 * exp(qᵀk) ≈ Σ_{n<K} (qᵀk)ⁿ/n! = φ(q)ᵀφ(k), with φ(q) = [1, q, vec(q⊗q)/√2!, ..., vec(q^{⊗(K-1)})/√(K-1)!]:
 * (qᵀk)ⁿ = ⟨q^{⊗n}, k^{⊗n}⟩, so each degree contributes Dⁿ coordinates and M(D,K) = Σ_{n<K} Dⁿ. The products
 * q_i q_j and q_j q_i are equal, so the symmetric map keeps one coordinate per monomial with weight
 * √(1/∏ mᵢ!) and has C(D+K-1, K-1) coordinates.
 */

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export type FeatureMap = (q: Float64Array) => Float64Array;

export function matrix(rows: number, cols: number, data = new Float64Array(rows * cols)): Matrix {
  if (data.length !== rows * cols) throw new Error(`matrix: ${data.length} values for ${rows}x${cols}`);
  return { rows, cols, data };
}

/** M(D, K) = 1 + D + ... + D^(K-1): the tensor-power feature dimension. */
export function featureDimension(dims: number, terms: number): number {
  let total = 0;
  for (let n = 0; n < terms; n++) total += dims ** n;
  return total;
}

/** C(D+K-1, K-1): monomials of degree < K in D variables, the symmetric (compressed) dimension. */
export function symmetricFeatureDimension(dims: number, terms: number): number {
  return binomial(dims + terms - 1, terms - 1);
}

export function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/** Σ_{n<K} tⁿ/n!: the first K McLaurin terms of exp. */
export function truncatedExp(t: number, terms: number): number {
  let sum = 0;
  let term = 1;
  for (let n = 0; n < terms; n++) {
    sum += term;
    term *= t / (n + 1);
  }
  return sum;
}

/** φ(q) in tensor-power form: degree n is vec(q^{⊗n})/√n!. */
export function tensorFeatureMap(terms: number): FeatureMap {
  return (q) => {
    const dims = q.length;
    const out = new Float64Array(featureDimension(dims, terms));
    let power = Float64Array.of(1); // vec(q^{⊗n}), unscaled
    let offset = 0;
    let factorial = 1;
    for (let n = 0; n < terms; n++) {
      if (n > 0) {
        factorial *= n;
        const next = new Float64Array(power.length * dims); // [D^n]
        for (let i = 0; i < power.length; i++) for (let j = 0; j < dims; j++) next[i * dims + j] = power[i] * q[j];
        power = next;
      }
      const scale = 1 / Math.sqrt(factorial);
      for (let i = 0; i < power.length; i++) out[offset + i] = power[i] * scale;
      offset += power.length;
    }
    return out;
  };
}

/** φ(q) over monomials: one coordinate per multiset of indices, weighted √(1/∏ mᵢ!). */
export function symmetricFeatureMap(terms: number): FeatureMap {
  return (q) => {
    const dims = q.length;
    const out = new Float64Array(symmetricFeatureDimension(dims, terms));
    let offset = 0;
    // Walk non-decreasing index tuples of each degree; `multiplicity` tracks repeats for the weight.
    const visit = (degree: number, start: number, product: number, weight: number, last: number, run: number) => {
      if (degree === 0) {
        out[offset++] = product * Math.sqrt(weight);
        return;
      }
      for (let i = start; i < dims; i++) {
        const repeat = i === last ? run + 1 : 1;
        visit(degree - 1, i, product * q[i], weight / repeat, i, repeat);
      }
    };
    for (let n = 0; n < terms; n++) visit(n, 0, 1, 1, -1, 0);
    return out;
  };
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Φ(X): φ applied to every row. [L, D] -> [L, M] */
function mapRows(x: Matrix, phi: FeatureMap): Matrix {
  const first = phi(row(x, 0));
  const out = matrix(x.rows, first.length);
  out.data.set(first, 0);
  for (let i = 1; i < x.rows; i++) out.data.set(phi(row(x, i)), i * first.length);
  return out;
}

/**
 * Exact Softmax(QKᵀ)V, one query row at a time: O(L²D) time like the textbook form, but O(L) memory so long
 * sequences can be timed without allocating the L×L score matrix.
 */
export function softmaxAttention(q: Matrix, k: Matrix, v: Matrix): Matrix {
  const length = k.rows;
  const dims = q.cols;
  const width = v.cols;
  const out = matrix(q.rows, width);
  const scores = new Float64Array(length);
  // Flat indexing: the timed hot loop must not allocate a subarray per (i, j) pair.
  const { data: qd } = q;
  const { data: kd } = k;
  const { data: vd } = v;
  const zd = out.data;
  for (let i = 0; i < q.rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < length; j++) {
      let score = 0;
      for (let c = 0; c < dims; c++) score += qd[i * dims + c] * kd[j * dims + c];
      scores[j] = score;
      if (score > max) max = score;
    }
    let total = 0;
    for (let j = 0; j < length; j++) {
      scores[j] = Math.exp(scores[j] - max); // shifting by the row max changes nothing after normalising
      total += scores[j];
    }
    for (let j = 0; j < length; j++) {
      const weight = scores[j] / total;
      for (let c = 0; c < width; c++) zd[i * width + c] += weight * vd[j * width + c];
    }
  }
  return out;
}

/** D⁻¹AV for an explicit kernel A_ij = kernel(q_iᵀk_j): Question 1.3 read row by row. [L, D] */
export function kernelAttention(q: Matrix, k: Matrix, v: Matrix, kernel: (t: number) => number): Matrix {
  const out = matrix(q.rows, v.cols);
  for (let i = 0; i < q.rows; i++) {
    const zi = row(out, i);
    let normaliser = 0;
    for (let j = 0; j < k.rows; j++) {
      const a = kernel(dot(row(q, i), row(k, j)));
      normaliser += a;
      const vj = row(v, j);
      for (let c = 0; c < v.cols; c++) zi[c] += a * vj[c];
    }
    for (let c = 0; c < v.cols; c++) zi[c] /= normaliser;
  }
  return out;
}

/** D⁻¹(Φ(Q)Φ(K)ᵀ)V with D = Diag(Φ(Q)Φ(K)ᵀ1_L): the quadratic association, O(L²M + L²D). */
export function quadraticFeatureAttention(q: Matrix, k: Matrix, v: Matrix, phi: FeatureMap): Matrix {
  const phiQ = mapRows(q, phi); // [L, M]
  const phiK = mapRows(k, phi); // [L, M]
  const out = matrix(q.rows, v.cols);
  for (let i = 0; i < q.rows; i++) {
    const zi = row(out, i);
    let normaliser = 0;
    for (let j = 0; j < k.rows; j++) {
      const a = dot(row(phiQ, i), row(phiK, j)); // (Φ(Q)Φ(K)ᵀ)_ij
      normaliser += a;
      const vj = row(v, j);
      for (let c = 0; c < v.cols; c++) zi[c] += a * vj[c];
    }
    for (let c = 0; c < v.cols; c++) zi[c] /= normaliser;
  }
  return out;
}

/** D⁻¹Φ(Q)(Φ(K)ᵀV) with D = Diag(Φ(Q)(Φ(K)ᵀ1_L)): the linear association, O(LMD). */
export function linearAttention(q: Matrix, k: Matrix, v: Matrix, phi: FeatureMap): Matrix {
  const phiQ = mapRows(q, phi); // [L, M]
  const phiK = mapRows(k, phi); // [L, M]
  const features = phiK.cols;
  const kv = new Float64Array(features * v.cols); // Φ(K)ᵀV: [M, D]
  const kSum = new Float64Array(features); // Φ(K)ᵀ1_L: [M]
  for (let j = 0; j < k.rows; j++) {
    const pk = row(phiK, j);
    const vj = row(v, j);
    for (let m = 0; m < features; m++) {
      kSum[m] += pk[m];
      for (let c = 0; c < v.cols; c++) kv[m * v.cols + c] += pk[m] * vj[c];
    }
  }
  const out = matrix(q.rows, v.cols);
  for (let i = 0; i < q.rows; i++) {
    const pq = row(phiQ, i);
    const zi = row(out, i);
    const normaliser = dot(pq, kSum);
    for (let m = 0; m < features; m++) for (let c = 0; c < v.cols; c++) zi[c] += pq[m] * kv[m * v.cols + c];
    for (let c = 0; c < v.cols; c++) zi[c] /= normaliser;
  }
  return out;
}

/**
 * Floating-point operations (a multiply-add counts 2) of the two forms for L tokens of width D and M features.
 * softmax: QKᵀ 2L²D, exp + row sum + divide 3L², weights·V 2L²D.
 * linear: Φ(Q), Φ(K) 2LM, Φ(K)ᵀV 2LMD, Φ(K)ᵀ1 LM, Φ(Q)(Φ(K)ᵀV) 2LMD, Φ(Q)(Φ(K)ᵀ1) 2LM, divide LD.
 */
export function attentionFlops(length: number, dims: number, features: number): { softmax: number; linear: number } {
  const L = length;
  return {
    softmax: 4 * L * L * dims + 3 * L * L,
    linear: 4 * L * features * dims + 5 * L * features + L * dims,
  };
}

/** max |a - b| / max(1, |b|) over all entries. */
export function maxRelativeError(a: Matrix, b: Matrix): number {
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]) / Math.max(1, Math.abs(b.data[i])));
  return worst;
}
