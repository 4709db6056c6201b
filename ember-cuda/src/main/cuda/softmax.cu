// softmax / log-softmax over the middle axis of [outer, R, inner], and fused cross-entropy
// (log-softmax + negative log-likelihood of integer targets) for logits of shape [N, C].
#include "ember.cuh"

// inner == 1: one block per row, max and sum by block reductions, in float for f32.
#define SOFTMAX_ROWS(T, ACC, EXP, LOG)                                                              \
    extern "C" __global__ void softmax_rows_##T(i64 outer, i64 R, const T *x, T *y, int logOut) {   \
        for (i64 row = blockIdx.x; row < outer; row += gridDim.x) {                                 \
            const T *p = x + row * R;                                                               \
            T *q = y + row * R;                                                                     \
            float m = -INFINITY;                                                                    \
            for (i64 r = threadIdx.x; r < R; r += blockDim.x) m = fmaxf(m, (float)p[r]);            \
            m = block_max(m);                                                                       \
            ACC mx = (ACC)m;                                                                        \
            float s = 0.f;                                                                          \
            for (i64 r = threadIdx.x; r < R; r += blockDim.x) s += (float)EXP((ACC)p[r] - mx);      \
            s = block_sum(s);                                                                       \
            ACC ls = LOG((ACC)s);                                                                   \
            for (i64 r = threadIdx.x; r < R; r += blockDim.x)                                       \
                q[r] = logOut ? (T)((ACC)p[r] - mx - ls) : (T)(EXP((ACC)p[r] - mx) / (ACC)s);        \
        }                                                                                           \
    }
SOFTMAX_ROWS(f32, float, expf, logf)

// The general case (and f64, which needs double accumulation): a thread per column.
#define SOFTMAX_COLS(T, EXP, LOG)                                                                   \
    extern "C" __global__ void softmax_cols_##T(i64 outer, i64 R, i64 inner, const T *x, T *y, int logOut) { \
        GRID_STRIDE(j, outer * inner) {                                                             \
            i64 o = j / inner, in = j % inner;                                                      \
            const T *p = x + o * R * inner + in;                                                    \
            T *q = y + o * R * inner + in;                                                          \
            T m = p[0];                                                                             \
            for (i64 r = 1; r < R; r++) m = p[r * inner] > m ? p[r * inner] : m;                    \
            double s = 0;                                                                           \
            for (i64 r = 0; r < R; r++) s += (double)EXP(p[r * inner] - m);                         \
            for (i64 r = 0; r < R; r++)                                                             \
                q[r * inner] = logOut ? (T)(p[r * inner] - m - (T)log(s)) : (T)(EXP(p[r * inner] - m) / (T)s); \
        }                                                                                           \
    }
SOFTMAX_COLS(f32, expf, logf) SOFTMAX_COLS(f64, exp, log)

// loss[i] = logsumexp(x[i, :]) - x[i, target[i]]; ignored targets give 0 and count nothing.
extern "C" __global__ void softmax_cross_entropy_f32(i64 N, i64 C, const f32 *x, const i64 *target, f32 *loss,
                                                    i64 ignoreIndex) {
    for (i64 row = blockIdx.x; row < N; row += gridDim.x) {
        const f32 *p = x + row * C;
        float m = -INFINITY;
        for (i64 c = threadIdx.x; c < C; c += blockDim.x) m = fmaxf(m, p[c]);
        m = block_max(m);
        float s = 0.f;
        for (i64 c = threadIdx.x; c < C; c += blockDim.x) s += expf(p[c] - m);
        s = block_sum(s);
        if (threadIdx.x == 0) {
            i64 t = target[row];
            loss[row] = (t == ignoreIndex || t < 0 || t >= C) ? 0.f : m + logf(s) - p[t];
        }
    }
}
