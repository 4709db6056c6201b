// Reductions over the middle axis of a contiguous [outer, R, inner] view: one block per row
// when inner == 1 (warp shuffles), else one thread per (outer, inner) column (coalesced).
// Floating sums accumulate in double for f64 and in float with a tree for f32.
#include "ember.cuh"

#define SUM_ROWS(T, ACC, OUT)                                                                       \
    extern "C" __global__ void reduce_sum_rows_##T(i64 outer, i64 R, const T *x, OUT *y) {          \
        for (i64 row = blockIdx.x; row < outer; row += gridDim.x) {                                 \
            ACC acc = 0;                                                                            \
            for (i64 r = threadIdx.x; r < R; r += blockDim.x) acc += (ACC)x[row * R + r];           \
            for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffff, acc, o);            \
            __shared__ ACC part[32];                                                                \
            int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;                                   \
            if (lane == 0) part[warp] = acc;                                                        \
            __syncthreads();                                                                        \
            if (warp == 0) {                                                                        \
                acc = lane < (int)(blockDim.x >> 5) ? part[lane] : (ACC)0;                          \
                for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffff, acc, o);        \
                if (lane == 0) y[row] = (OUT)acc;                                                   \
            }                                                                                       \
            __syncthreads();                                                                        \
        }                                                                                           \
    }
#define SUM_COLS(T, ACC, OUT)                                                                       \
    extern "C" __global__ void reduce_sum_cols_##T(i64 outer, i64 R, i64 inner, const T *x, OUT *y) { \
        GRID_STRIDE(j, outer * inner) {                                                             \
            i64 o = j / inner, in = j % inner;                                                      \
            const T *p = x + o * R * inner + in;                                                    \
            ACC acc = 0;                                                                            \
            for (i64 r = 0; r < R; r++) acc += (ACC)p[r * inner];                                   \
            y[j] = (OUT)acc;                                                                        \
        }                                                                                           \
    }
SUM_ROWS(f32, float, f32) SUM_ROWS(f64, double, f64) SUM_ROWS(i32, i64, i64) SUM_ROWS(i64, i64, i64)
SUM_ROWS(i8, i64, i64) SUM_ROWS(u8, i64, i64) SUM_ROWS(boolean, i64, i64)
SUM_COLS(f32, double, f32) SUM_COLS(f64, double, f64) SUM_COLS(i32, i64, i64) SUM_COLS(i64, i64, i64)
SUM_COLS(i8, i64, i64) SUM_COLS(u8, i64, i64) SUM_COLS(boolean, i64, i64)

// amax/amin, and max/min with the index of the first extreme (NaN wins, as on the CPU).
#define EXTREME(T, NAME, BETTER)                                                                    \
    extern "C" __global__ void reduce_##NAME##_##T(i64 outer, i64 R, i64 inner, const T *x, T *y, i64 *idx) { \
        GRID_STRIDE(j, outer * inner) {                                                             \
            i64 o = j / inner, in = j % inner;                                                      \
            const T *p = x + o * R * inner + in;                                                    \
            T best = p[0];                                                                          \
            i64 at = 0;                                                                             \
            for (i64 r = 1; r < R && best == best; r++) {                                           \
                T v = p[r * inner];                                                                 \
                if (v != v || (BETTER)) { best = v; at = r; }                                       \
            }                                                                                       \
            if (y) y[j] = best;                                                                     \
            if (idx) idx[j] = at;                                                                   \
        }                                                                                           \
    }
#define EXTREMES(T) EXTREME(T, max, v > best) EXTREME(T, min, v < best)
EXTREMES(f32) EXTREMES(f64) EXTREMES(i32) EXTREMES(i64) EXTREMES(i8) EXTREMES(u8)
