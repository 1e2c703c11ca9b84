// Numeric cores of the fast tfjs cpu kernels, compiled to WebAssembly with 128-bit SIMD (build.sh).
//
// Everything is float32, row-major, NHWC. The JavaScript side (../wasm.ts) copies tensors into this module's
// linear memory, passes byte offsets, and copies results out; nothing here allocates, so a call's scratch
// space is handed in by the caller. No libc. Indices are int: wasm32 memory holds under 2^30 floats.
//
// Matrix products follow the GotoBLAS layout: pack a KC x NC panel of B and an MC x KC panel of A into
// contiguous micro-panels, then a 4 x 8 register-blocked micro-kernel streams through them. Accumulation is
// in float32 (as in PyTorch's CPU kernels); tests hold the results to 1e-5 of tfjs's stock kernels.
#include <stdint.h>
#include <wasm_simd128.h>

#define MR 4
#define NR 8
#define KC 256
#define MC 64
#define NC 512

// Short runs (a pixel's channels) are the common case in im2col: V8 runs bulk-memory copies as calls into
// the runtime, far slower than these loops for a few floats, so the module is built without bulk memory
// and with -fno-builtin (which keeps clang from turning the loops back into memcpy calls).
static inline void copy_floats(float* dst, const float* src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

static inline void zero_floats(float* dst, int n) {
  int i = 0;
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, zero);
  for (; i < n; i++) dst[i] = 0.0f;
}

typedef struct {
  const float* p;
  int rs;  // stride between rows
  int cs;  // stride between columns
} View;

static inline float at(View v, int i, int j) { return v.p[i * v.rs + j * v.cs]; }

// Ap: for each block of MR rows, kc columns of MR values (rows past m are zero).
static void pack_a(View a, int m, int kc, float* ap) {
  for (int i0 = 0; i0 < m; i0 += MR) {
    int rows = m - i0 < MR ? m - i0 : MR;
    if (rows == MR && a.rs == 1) {
      // Transposed A: the MR values for one column are adjacent.
      for (int p = 0; p < kc; p++) {
        wasm_v128_store(ap, wasm_v128_load(a.p + i0 + p * a.cs));
        ap += MR;
      }
    } else if (rows == MR && a.cs == 1) {
      const float* r0 = a.p + i0 * a.rs;
      const float* r1 = r0 + a.rs;
      const float* r2 = r1 + a.rs;
      const float* r3 = r2 + a.rs;
      for (int p = 0; p < kc; p++) {
        ap[0] = r0[p];
        ap[1] = r1[p];
        ap[2] = r2[p];
        ap[3] = r3[p];
        ap += MR;
      }
    } else {
      for (int p = 0; p < kc; p++) {
        for (int r = 0; r < MR; r++) ap[r] = r < rows ? at(a, i0 + r, p) : 0.0f;
        ap += MR;
      }
    }
  }
}

// Bp: for each block of NR columns, kc rows of NR values (columns past n are zero).
static void pack_b(View b, int kc, int n, float* bp) {
  for (int j0 = 0; j0 < n; j0 += NR) {
    int cols = n - j0 < NR ? n - j0 : NR;
    if (cols == NR && b.cs == 1) {
      for (int p = 0; p < kc; p++) {
        const float* src = b.p + p * b.rs + j0;
        wasm_v128_store(bp, wasm_v128_load(src));
        wasm_v128_store(bp + 4, wasm_v128_load(src + 4));
        bp += NR;
      }
    } else if (cols == NR && b.rs == 1) {
      // Transposed B: each of the NR columns is a contiguous run of memory; transpose 4 x 4 blocks.
      const float* src[NR];
      for (int c = 0; c < NR; c++) src[c] = b.p + (j0 + c) * b.cs;
      int p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (int half = 0; half < 2; half++) {
          v128_t r0 = wasm_v128_load(src[4 * half] + p);
          v128_t r1 = wasm_v128_load(src[4 * half + 1] + p);
          v128_t r2 = wasm_v128_load(src[4 * half + 2] + p);
          v128_t r3 = wasm_v128_load(src[4 * half + 3] + p);
          v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
          v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
          v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
          v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          float* dst = bp + 4 * half;
          wasm_v128_store(dst, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
          wasm_v128_store(dst + NR, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
          wasm_v128_store(dst + 2 * NR, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
          wasm_v128_store(dst + 3 * NR, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
        }
        bp += 4 * NR;
      }
      for (; p < kc; p++) {
        for (int c = 0; c < NR; c++) bp[c] = src[c][p];
        bp += NR;
      }
    } else {
      for (int p = 0; p < kc; p++) {
        for (int c = 0; c < NR; c++) bp[c] = c < cols ? at(b, p, j0 + c) : 0.0f;
        bp += NR;
      }
    }
  }
}

// C[0:rows, 0:cols] (+)= Ap-panel x Bp-panel over kc.
static void micro_kernel(int kc, const float* ap, const float* bp, float* c, int ldc, int rows, int cols,
                         int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    v128_t b0 = wasm_v128_load(bp);
    v128_t b1 = wasm_v128_load(bp + 4);
    v128_t a;
    a = wasm_v128_load32_splat(ap);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(ap + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(ap + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(ap + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    ap += MR;
    bp += NR;
  }
  if (rows == MR && cols == NR) {
    float* r0 = c;
    float* r1 = r0 + ldc;
    float* r2 = r1 + ldc;
    float* r3 = r2 + ldc;
    if (accumulate) {
      c00 = wasm_f32x4_add(c00, wasm_v128_load(r0));
      c01 = wasm_f32x4_add(c01, wasm_v128_load(r0 + 4));
      c10 = wasm_f32x4_add(c10, wasm_v128_load(r1));
      c11 = wasm_f32x4_add(c11, wasm_v128_load(r1 + 4));
      c20 = wasm_f32x4_add(c20, wasm_v128_load(r2));
      c21 = wasm_f32x4_add(c21, wasm_v128_load(r2 + 4));
      c30 = wasm_f32x4_add(c30, wasm_v128_load(r3));
      c31 = wasm_f32x4_add(c31, wasm_v128_load(r3 + 4));
    }
    wasm_v128_store(r0, c00);
    wasm_v128_store(r0 + 4, c01);
    wasm_v128_store(r1, c10);
    wasm_v128_store(r1 + 4, c11);
    wasm_v128_store(r2, c20);
    wasm_v128_store(r2 + 4, c21);
    wasm_v128_store(r3, c30);
    wasm_v128_store(r3 + 4, c31);
    return;
  }
  float tile[MR * NR];
  wasm_v128_store(tile, c00);
  wasm_v128_store(tile + 4, c01);
  wasm_v128_store(tile + 8, c10);
  wasm_v128_store(tile + 12, c11);
  wasm_v128_store(tile + 16, c20);
  wasm_v128_store(tile + 20, c21);
  wasm_v128_store(tile + 24, c30);
  wasm_v128_store(tile + 28, c31);
  for (int r = 0; r < rows; r++) {
    float* row = c + r * ldc;
    for (int j = 0; j < cols; j++) row[j] = accumulate ? row[j] + tile[r * NR + j] : tile[r * NR + j];
  }
}

// Bytes of scratch gemm needs (packed panels).
__attribute__((export_name("gemm_scratch_bytes"))) int gemm_scratch_bytes(void) {
  return (MC * KC + KC * NC) * (int)sizeof(float) + 64;
}

static void gemm_view(int m, int n, int k, View a, View b, float* c, int ldc, int accumulate, float* scratch) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int i = 0; i < m; i++) zero_floats(c + i * ldc, n);
    return;
  }
  float* ap = scratch;
  float* bp = scratch + MC * KC;
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      int acc = accumulate || pc > 0;
      View bv = {b.p + pc * b.rs + jc * b.cs, b.rs, b.cs};
      pack_b(bv, kc, nc, bp);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        View av = {a.p + ic * a.rs + pc * a.cs, a.rs, a.cs};
        pack_a(av, mc, kc, ap);
        for (int jr = 0; jr < nc; jr += NR) {
          int cols = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = mc - ir < MR ? mc - ir : MR;
            micro_kernel(kc, ap + ir * kc, bp + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc, rows, cols, acc);
          }
        }
      }
    }
  }
}

// C[m x n] (+)= op(A) x op(B): op(A) is m x k (A stored k x m with lda when transA), op(B) k x n.
__attribute__((export_name("gemm"))) void gemm(int m, int n, int k, const float* a, int lda, int trans_a,
                                               const float* b, int ldb, int trans_b, float* c, int ldc,
                                               int accumulate, float* scratch) {
  View av = trans_a ? (View){a, 1, lda} : (View){a, lda, 1};
  View bv = trans_b ? (View){b, 1, ldb} : (View){b, ldb, 1};
  gemm_view(m, n, k, av, bv, c, ldc, accumulate, scratch);
}

// Convolution geometry, filled in by the JavaScript side from tfjs's convInfo (dilation 1, NHWC).
typedef struct {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int filter_h, filter_w;
  int stride_h, stride_w;
  int pad_top, pad_left;
} Conv;

// Output columns ox whose input column ox*stride - pad + kx lies inside the image: [*lo, *hi).
static void valid_columns(const Conv* g, int kx, int* lo, int* hi) {
  int first = g->pad_left - kx;  // ox * stride_w >= first
  int last = g->in_w - 1 + g->pad_left - kx;  // ox * stride_w <= last
  *lo = first <= 0 ? 0 : (first + g->stride_w - 1) / g->stride_w;
  *hi = last < 0 ? 0 : last / g->stride_w + 1;
  if (*hi > g->out_w) *hi = g->out_w;
  if (*lo > *hi) *lo = *hi;
}

// cols[(line, ox), (ky, kx, ci)] for output lines line0 .. line0+lines, a line being one (b, oy); padding
// reads as zero. Walking one filter tap across a whole line keeps bounds checks out of the inner loop.
static void im2col(const Conv* g, const float* x, int line0, int lines, float* cols) {
  int k = g->filter_h * g->filter_w * g->in_c;
  int ic = g->in_c;
  for (int l = 0; l < lines; l++) {
    int b = (line0 + l) / g->out_h;
    int oy = (line0 + l) % g->out_h;
    float* line = cols + l * g->out_w * k;
    const float* img = x + b * g->in_h * g->in_w * ic;
    for (int ky = 0; ky < g->filter_h; ky++) {
      int iy = oy * g->stride_h - g->pad_top + ky;
      for (int kx = 0; kx < g->filter_w; kx++) {
        float* dst = line + (ky * g->filter_w + kx) * ic;
        int lo = 0, hi = 0;
        if (iy >= 0 && iy < g->in_h) valid_columns(g, kx, &lo, &hi);
        for (int ox = 0; ox < lo; ox++) zero_floats(dst + ox * k, ic);
        const float* src = img + (iy * g->in_w + lo * g->stride_w - g->pad_left + kx) * ic;
        int step = g->stride_w * ic;
        if (ic == 1) {
          for (int ox = lo; ox < hi; ox++, src += step) dst[ox * k] = *src;
        } else {
          for (int ox = lo; ox < hi; ox++, src += step) copy_floats(dst + ox * k, src, ic);
        }
        for (int ox = hi; ox < g->out_w; ox++) zero_floats(dst + ox * k, ic);
      }
    }
  }
}

// dx[b, iy, ix, ci] += cols[(line, ox), (ky, kx, ci)]: the adjoint of im2col.
static void col2im(const Conv* g, const float* cols, int line0, int lines, float* dx) {
  int k = g->filter_h * g->filter_w * g->in_c;
  int ic = g->in_c;
  for (int l = 0; l < lines; l++) {
    int b = (line0 + l) / g->out_h;
    int oy = (line0 + l) % g->out_h;
    const float* line = cols + l * g->out_w * k;
    float* img = dx + b * g->in_h * g->in_w * ic;
    for (int ky = 0; ky < g->filter_h; ky++) {
      int iy = oy * g->stride_h - g->pad_top + ky;
      if (iy < 0 || iy >= g->in_h) continue;
      for (int kx = 0; kx < g->filter_w; kx++) {
        const float* src = line + (ky * g->filter_w + kx) * ic;
        int lo, hi;
        valid_columns(g, kx, &lo, &hi);
        float* dst = img + (iy * g->in_w + lo * g->stride_w - g->pad_left + kx) * ic;
        int step = g->stride_w * ic;
        if (ic == 1) {
          for (int ox = lo; ox < hi; ox++, dst += step) *dst += src[ox * k];
        } else {
          for (int ox = lo; ox < hi; ox++, dst += step) {
            const float* s = src + ox * k;
            int c = 0;
            for (; c + 4 <= ic; c += 4) wasm_v128_store(dst + c, wasm_f32x4_add(wasm_v128_load(dst + c), wasm_v128_load(s + c)));
            for (; c < ic; c++) dst[c] += s[c];
          }
        }
      }
    }
  }
}

// A 1x1, stride-1, unpadded convolution is a plain matrix product over the pixels: no im2col needed.
static int is_pointwise(const Conv* g) {
  return g->filter_h == 1 && g->filter_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_top == 0 &&
         g->pad_left == 0 && g->out_h == g->in_h && g->out_w == g->in_w;
}

// Output lines per im2col chunk, so the column buffer stays near L2 size however large the image.
static int chunk_lines(const Conv* g) {
  int per_line = g->out_w * g->filter_h * g->filter_w * g->in_c;
  int lines = (64 * 1024) / (per_line > 0 ? per_line : 1);
  return lines < 1 ? 1 : (int)lines;
}

__attribute__((export_name("conv_scratch_bytes"))) int conv_scratch_bytes(const Conv* g) {
  int k = g->filter_h * g->filter_w * g->in_c;
  return gemm_scratch_bytes() + chunk_lines(g) * g->out_w * k * (int)sizeof(float);
}

// y[B*OH*OW, OC] = im2col(x) x w[FH*FW*IC, OC].
__attribute__((export_name("conv2d"))) void conv2d(const Conv* g, const float* x, const float* w, float* y,
                                                   float* scratch) {
  int lines = g->batch * g->out_h;
  int k = g->filter_h * g->filter_w * g->in_c;
  if (is_pointwise(g)) {
    gemm(lines * g->out_w, g->out_c, k, x, k, 0, w, g->out_c, 0, y, g->out_c, 0, scratch);
    return;
  }
  float* cols = (float*)((char*)scratch + gemm_scratch_bytes());
  int step = chunk_lines(g);
  for (int l0 = 0; l0 < lines; l0 += step) {
    int n = lines - l0 < step ? lines - l0 : step;
    im2col(g, x, l0, n, cols);
    gemm(n * g->out_w, g->out_c, k, cols, k, 0, w, g->out_c, 0, y + l0 * g->out_w * g->out_c, g->out_c, 0,
         scratch);
  }
}

// dw[FH*FW*IC, OC] = im2col(x)^T x dy[B*OH*OW, OC].
__attribute__((export_name("conv2d_backprop_filter"))) void conv2d_backprop_filter(const Conv* g, const float* x,
                                                                                   const float* dy, float* dw,
                                                                                   float* scratch) {
  int lines = g->batch * g->out_h;
  int k = g->filter_h * g->filter_w * g->in_c;
  if (lines == 0 || g->out_w == 0) {
    zero_floats(dw, k * g->out_c);
    return;
  }
  if (is_pointwise(g)) {
    gemm(k, g->out_c, lines * g->out_w, x, k, 1, dy, g->out_c, 0, dw, g->out_c, 0, scratch);
    return;
  }
  float* cols = (float*)((char*)scratch + gemm_scratch_bytes());
  int step = chunk_lines(g);
  for (int l0 = 0; l0 < lines; l0 += step) {
    int n = lines - l0 < step ? lines - l0 : step;
    im2col(g, x, l0, n, cols);
    gemm(k, g->out_c, n * g->out_w, cols, k, 1, dy + l0 * g->out_w * g->out_c, g->out_c, 0, dw, g->out_c,
         l0 > 0, scratch);
  }
}

// dx = col2im(dy[B*OH*OW, OC] x w^T); dx must be zeroed by the caller.
__attribute__((export_name("conv2d_backprop_input"))) void conv2d_backprop_input(const Conv* g, const float* dy,
                                                                                 const float* w, float* dx,
                                                                                 float* scratch) {
  int lines = g->batch * g->out_h;
  int k = g->filter_h * g->filter_w * g->in_c;
  if (is_pointwise(g)) {
    gemm(lines * g->out_w, k, g->out_c, dy, g->out_c, 0, w, g->out_c, 1, dx, k, 0, scratch);
    return;
  }
  float* cols = (float*)((char*)scratch + gemm_scratch_bytes());
  int step = chunk_lines(g);
  for (int l0 = 0; l0 < lines; l0 += step) {
    int n = lines - l0 < step ? lines - l0 : step;
    gemm(n * g->out_w, k, g->out_c, dy + l0 * g->out_w * g->out_c, g->out_c, 0, w, g->out_c, 1, cols, k, 0,
         scratch);
    col2im(g, cols, l0, n, dx);
  }
}

// y[i, j] = act(y[i, j] + bias[j]) in place; bias may be null; act 0 = linear, 1 = relu.
__attribute__((export_name("bias_activation"))) void bias_activation(float* y, int m, int n, const float* bias,
                                                                     int act) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < m; i++) {
    float* row = y + i * n;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v128_t v = wasm_v128_load(row + j);
      if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias + j));
      // wasm's max is Math.max: NaN propagates and max(0, -0) is +0, as in tfjs's stock relu.
      if (act == 1) v = wasm_f32x4_max(zero, v);
      wasm_v128_store(row + j, v);
    }
    for (; j < n; j++) {
      float v = row[j];
      if (bias) v += bias[j];
      if (act == 1) v = __builtin_wasm_max_f32(0.0f, v);
      row[j] = v;
    }
  }
}

// y = max(0, x) with Math.max semantics (NaN stays NaN, -0 becomes +0). Branch-free: the stock kernel's
// Math.max mispredicts on every other element of a pre-activation, which costs more than the copies here.
__attribute__((export_name("relu"))) void relu(const float* x, float* y, int n) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_max(zero, wasm_v128_load(x + i)));
  for (; i < n; i++) y[i] = __builtin_wasm_max_f32(0.0f, x[i]);
}

// y = NaN for NaN, 1 for x > 0, else alpha: the stock Step kernel (the relu gradient's mask).
__attribute__((export_name("step"))) void step(const float* x, float* y, int n, float alpha) {
  v128_t one = wasm_f32x4_splat(1.0f);
  v128_t other = wasm_f32x4_splat(alpha);
  v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t r = wasm_v128_bitselect(one, other, wasm_f32x4_gt(v, zero));
    wasm_v128_store(y + i, wasm_v128_bitselect(v, r, wasm_f32x4_ne(v, v)));
  }
  for (; i < n; i++) y[i] = x[i] != x[i] ? x[i] : x[i] > 0.0f ? 1.0f : alpha;
}

// A rows x n block of out = a op b, where a_step and b_step are 1 (walk along the row) or 0 (one value for
// the row: a broadcast operand). Single float32 operations round exactly as the stock kernels' double
// arithmetic rounded to float32 does (double carries more than 2 x 24 + 2 bits, so the double rounding is
// innocuous for + - * /), and wasm's min/max are Math.min/max: NaN propagates, -0 < +0.
#define BINARY_BLOCK(VOP, SOP)                                                                   \
  for (int r = 0; r < rows; r++, out += out_row, a += a_row, b += b_row) {                      \
    int i = 0;                                                                                   \
    if (a_step && b_step) {                                                                      \
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, VOP(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
      for (; i < n; i++) out[i] = SOP(a[i], b[i]);                                               \
    } else if (a_step) {                                                                         \
      v128_t y = wasm_f32x4_splat(b[0]);                                                         \
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, VOP(wasm_v128_load(a + i), y));       \
      for (; i < n; i++) out[i] = SOP(a[i], b[0]);                                               \
    } else if (b_step) {                                                                         \
      v128_t x = wasm_f32x4_splat(a[0]);                                                         \
      for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, VOP(x, wasm_v128_load(b + i)));       \
      for (; i < n; i++) out[i] = SOP(a[0], b[i]);                                               \
    } else {                                                                                     \
      for (; i < n; i++) out[i] = SOP(a[0], b[0]);                                               \
    }                                                                                            \
  }

static inline float add_f(float x, float y) { return x + y; }
static inline float sub_f(float x, float y) { return x - y; }
static inline float mul_f(float x, float y) { return x * y; }
static inline float div_f(float x, float y) { return x / y; }
static inline float max_f(float x, float y) { return __builtin_wasm_max_f32(x, y); }
static inline float min_f(float x, float y) { return __builtin_wasm_min_f32(x, y); }

// op: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min.
__attribute__((export_name("binary_block"))) void binary_block(int op, int rows, int n, float* out, int out_row,
                                                               const float* a, int a_row, int a_step,
                                                               const float* b, int b_row, int b_step) {
  switch (op) {
    case 0: BINARY_BLOCK(wasm_f32x4_add, add_f) break;
    case 1: BINARY_BLOCK(wasm_f32x4_sub, sub_f) break;
    case 2: BINARY_BLOCK(wasm_f32x4_mul, mul_f) break;
    case 3: BINARY_BLOCK(wasm_f32x4_div, div_f) break;
    case 4: BINARY_BLOCK(wasm_f32x4_max, max_f) break;
    case 5: BINARY_BLOCK(wasm_f32x4_min, min_f) break;
  }
}

// Pooling geometry from tfjs's computePool2DInfo (NHWC, dilation 1).
typedef struct {
  int batch, in_h, in_w, channels;
  int out_h, out_w;
  int filter_h, filter_w;
  int stride_h, stride_w;
  int pad_top, pad_left;
} Pool;

// Max over each window, scanning rows then columns and keeping the first strict maximum: NaN never wins
// and an empty window gives -Infinity, exactly as tfjs's stock pool().
__attribute__((export_name("max_pool"))) void max_pool(const Pool* g, const float* x, float* y) {
  int ch = g->channels;
  v128_t neg_inf = wasm_f32x4_splat(-__builtin_inff());
  for (int b = 0; b < g->batch; b++) {
    const float* img = x + b * g->in_h * g->in_w * ch;
    for (int oy = 0; oy < g->out_h; oy++) {
      int y0 = oy * g->stride_h - g->pad_top;
      int ys = y0 < 0 ? 0 : y0;
      int ye = y0 + g->filter_h < g->in_h ? y0 + g->filter_h : g->in_h;
      for (int ox = 0; ox < g->out_w; ox++) {
        int x0 = ox * g->stride_w - g->pad_left;
        int xs = x0 < 0 ? 0 : x0;
        int xe = x0 + g->filter_w < g->in_w ? x0 + g->filter_w : g->in_w;
        float* out = y + ((b * g->out_h + oy) * g->out_w + ox) * ch;
        int c = 0;
        for (; c + 4 <= ch; c += 4) {
          v128_t m = neg_inf;
          for (int iy = ys; iy < ye; iy++)
            for (int ix = xs; ix < xe; ix++) {
              v128_t v = wasm_v128_load(img + (iy * g->in_w + ix) * ch + c);
              m = wasm_v128_bitselect(v, m, wasm_f32x4_gt(v, m));
            }
          wasm_v128_store(out + c, m);
        }
        for (; c < ch; c++) {
          float m = -__builtin_inff();
          for (int iy = ys; iy < ye; iy++)
            for (int ix = xs; ix < xe; ix++) {
              float v = img[(iy * g->in_w + ix) * ch + c];
              if (v > m) m = v;
            }
          out[c] = m;
        }
      }
    }
  }
}

// dx[argmax of each window] += dy, with the same argmax as max_pool (first strict maximum); windows with
// no maximum (all NaN or -Infinity) pass no gradient, as in tfjs's stock MaxPoolGrad. dx must be zeroed.
__attribute__((export_name("max_pool_grad"))) void max_pool_grad(const Pool* g, const float* x, const float* dy,
                                                                 float* dx) {
  int ch = g->channels;
  for (int b = 0; b < g->batch; b++) {
    const float* img = x + b * g->in_h * g->in_w * ch;
    float* dimg = dx + b * g->in_h * g->in_w * ch;
    for (int oy = 0; oy < g->out_h; oy++) {
      int y0 = oy * g->stride_h - g->pad_top;
      int ys = y0 < 0 ? 0 : y0;
      int ye = y0 + g->filter_h < g->in_h ? y0 + g->filter_h : g->in_h;
      for (int ox = 0; ox < g->out_w; ox++) {
        int x0 = ox * g->stride_w - g->pad_left;
        int xs = x0 < 0 ? 0 : x0;
        int xe = x0 + g->filter_w < g->in_w ? x0 + g->filter_w : g->in_w;
        const float* grad = dy + ((b * g->out_h + oy) * g->out_w + ox) * ch;
        int c = 0;
        // Four channels at a time: running maximum and its element index per lane, then a scalar scatter.
        for (; c + 4 <= ch; c += 4) {
          v128_t m = wasm_f32x4_splat(-__builtin_inff());
          v128_t best = wasm_i32x4_splat(-1);
          for (int iy = ys; iy < ye; iy++)
            for (int ix = xs; ix < xe; ix++) {
              int at_ = (iy * g->in_w + ix) * ch + c;
              v128_t v = wasm_v128_load(img + at_);
              v128_t gt = wasm_f32x4_gt(v, m);
              m = wasm_v128_bitselect(v, m, gt);
              best = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(at_), wasm_i32x4_make(0, 1, 2, 3)), best, gt);
            }
          int lanes[4];
          wasm_v128_store(lanes, best);
          for (int l = 0; l < 4; l++)
            if (lanes[l] >= 0) dimg[lanes[l]] += grad[c + l];
        }
        for (; c < ch; c++) {
          float m = -__builtin_inff();
          int best = -1;
          for (int iy = ys; iy < ye; iy++)
            for (int ix = xs; ix < xe; ix++) {
              int at_ = (iy * g->in_w + ix) * ch + c;
              float v = img[at_];
              if (v > m) {
                m = v;
                best = at_;
              }
            }
          if (best >= 0) dimg[best] += grad[c];
        }
      }
    }
  }
}
