// Embedding, gather, scatter-add, index_select and index_add over [outer, dim, inner] views of
// contiguous tensors. Out-of-range indices set an error flag the host checks, instead of
// reading or writing outside the tensor.
#include "ember.cuh"

// y[o, j, i] = x[o, index[j], i]  (index_select; embedding is outer = 1)
#define INDEX_SELECT(T)                                                                             \
    extern "C" __global__ void index_select_##T(i64 outer, i64 dimIn, i64 inner, i64 nIndex, const T *x, \
                                                const i64 *index, T *y, int *bad) {                 \
        GRID_STRIDE(k, outer * nIndex * inner) {                                                    \
            i64 i = k % inner, j = (k / inner) % nIndex, o = k / (inner * nIndex);                  \
            i64 s = index[j];                                                                       \
            if (s < 0) s += dimIn;                                                                  \
            if (s < 0 || s >= dimIn) { *bad = 1; y[k] = (T)0; continue; }                           \
            y[k] = x[(o * dimIn + s) * inner + i];                                                  \
        }                                                                                           \
    }
INDEX_SELECT(f32) INDEX_SELECT(f64) INDEX_SELECT(i32) INDEX_SELECT(i64) INDEX_SELECT(u8) INDEX_SELECT(f16)

// y[o, j, i] = x[o, index[o, j, i], i]  (gather; index has the output's shape)
#define GATHER(T)                                                                                   \
    extern "C" __global__ void index_gather_##T(i64 outer, i64 dimIn, i64 dimOut, i64 inner, const T *x, \
                                                const i64 *index, T *y, int *bad) {                 \
        GRID_STRIDE(k, outer * dimOut * inner) {                                                    \
            i64 i = k % inner, o = k / (inner * dimOut);                                            \
            i64 s = index[k];                                                                       \
            if (s < 0) s += dimIn;                                                                  \
            if (s < 0 || s >= dimIn) { *bad = 1; y[k] = (T)0; continue; }                           \
            y[k] = x[(o * dimIn + s) * inner + i];                                                  \
        }                                                                                           \
    }
GATHER(f32) GATHER(f64) GATHER(i32) GATHER(i64) GATHER(u8) GATHER(f16)

// y (a copy of the base) [o, index[o, j, i], i] += src[o, j, i]  (scatter_add)
#define SCATTER_ADD(T)                                                                              \
    extern "C" __global__ void index_scatter_add_##T(i64 outer, i64 dimOut, i64 dimSrc, i64 inner, const T *src, \
                                                     const i64 *index, T *y, int *bad) {            \
        GRID_STRIDE(k, outer * dimSrc * inner) {                                                    \
            i64 i = k % inner, o = k / (inner * dimSrc);                                            \
            i64 s = index[k];                                                                       \
            if (s < 0) s += dimOut;                                                                 \
            if (s < 0 || s >= dimOut) { *bad = 1; continue; }                                       \
            atomicAdd(y + (o * dimOut + s) * inner + i, src[k]);                                    \
        }                                                                                           \
    }
SCATTER_ADD(f32) SCATTER_ADD(f64)

// y (a copy of the base) [o, index[j], i] += src[o, j, i]  (index_add; the embedding gradient)
#define INDEX_ADD(T)                                                                                \
    extern "C" __global__ void index_add_##T(i64 outer, i64 dimOut, i64 nIndex, i64 inner, const T *src, \
                                             const i64 *index, T *y, int *bad) {                    \
        GRID_STRIDE(k, outer * nIndex * inner) {                                                    \
            i64 i = k % inner, j = (k / inner) % nIndex, o = k / (inner * nIndex);                  \
            i64 s = index[j];                                                                       \
            if (s < 0) s += dimOut;                                                                 \
            if (s < 0 || s >= dimOut) { *bad = 1; continue; }                                       \
            atomicAdd(y + (o * dimOut + s) * inner + i, src[k]);                                    \
        }                                                                                           \
    }
INDEX_ADD(f32) INDEX_ADD(f64)
