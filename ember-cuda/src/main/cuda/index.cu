// index_select, index_add (over [outer, dim, inner] views of contiguous tensors), gather,
// scatter-add, reflect / replicate padding and its gradient, and one_hot. Out-of-range indices set an error flag the host checks, instead of
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

// gather: y[k] = x[at(k) + index[k] * dimStride] over the index's elements k, where L has the
// index's shape and in stride[0] x's strides with dimension dim zeroed (the index may be smaller
// than x in every dimension).
#define GATHER(T)                                                                                   \
    extern "C" __global__ void index_gather_##T(i64 n, Layout L, i64 dimSize, i64 dimStride, const T *x, \
                                                const i64 *index, T *y, int *bad) {                 \
        GRID_STRIDE(k, n) {                                                                         \
            i64 s = index[k];                                                                       \
            if (s < 0) s += dimSize;                                                                \
            if (s < 0 || s >= dimSize) { *bad = 1; y[k] = (T)0; continue; }                         \
            y[k] = x[offset_of(L, 0, k) + s * dimStride];                                           \
        }                                                                                           \
    }
GATHER(f32) GATHER(f64) GATHER(i32) GATHER(i64) GATHER(u8) GATHER(f16)

// scatter_add into y (a copy of the base): y[at(k) + index[k] * dimStride] += src[k'] with L as
// for gather and stride[1] the strides of src (which may be larger than the index).
#define SCATTER_ADD(T)                                                                              \
    extern "C" __global__ void index_scatter_add_##T(i64 n, Layout L, i64 dimSize, i64 dimStride, const T *src, \
                                                     const i64 *index, T *y, int *bad) {            \
        GRID_STRIDE(k, n) {                                                                         \
            i64 s = index[k];                                                                       \
            if (s < 0) s += dimSize;                                                                \
            if (s < 0 || s >= dimSize) { *bad = 1; continue; }                                      \
            atomicAdd(y + offset_of(L, 0, k) + s * dimStride, src[offset_of(L, 1, k)]);             \
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

// Input position along one dimension of an output coordinate o of reflect (mode 1) or replicate
// (mode 2) padding with `before` elements in front of an input of `size`.
__device__ __forceinline__ i64 pad_source(i64 o, i64 before, i64 size, int mode) {
    i64 c = o - before;
    if (c < 0) return mode == 1 ? -c : 0;
    if (c >= size) return mode == 1 ? 2 * (size - 1) - c : size - 1;
    return c;
}

// Offset in the (contiguous) input of output element i: L has the padded shape, stride[0] the
// input's strides, stride[1] the padding before each dimension and stride[2] the input's sizes.
__device__ __forceinline__ i64 pad_offset(const Layout &L, i64 i, int mode) {
    i64 off = 0;
    for (int d = L.ndim - 1; d >= 0; d--) {
        i64 o = i % L.shape[d];
        i /= L.shape[d];
        off += pad_source(o, L.stride[1][d], L.stride[2][d], mode) * L.stride[0][d];
    }
    return off;
}

#define PAD(T)                                                                                      \
    extern "C" __global__ void index_pad_##T(i64 n, Layout L, int mode, const T *x, T *y) {         \
        GRID_STRIDE(i, n) y[i] = x[pad_offset(L, i, mode)];                                          \
    }
PAD(f32) PAD(f64) PAD(u8) PAD(f16) // a copy: named by element width

// The gradient of padding: each padded position adds its gradient into the input position it copied.
#define PAD_BACKWARD(T)                                                                             \
    extern "C" __global__ void index_pad_backward_##T(i64 n, Layout L, int mode, const T *g, T *gx) { \
        GRID_STRIDE(i, n) atomicAdd(gx + pad_offset(L, i, mode), g[i]);                              \
    }
PAD_BACKWARD(f32) PAD_BACKWARD(f64)

// y (zeroed) [i][index[i]] = 1
extern "C" __global__ void index_one_hot(i64 n, i64 classes, const i64 *index, i64 *y, int *bad) {
    GRID_STRIDE(i, n) {
        i64 v = index[i];
        if (v < 0 || v >= classes) { *bad = 1; continue; }
        y[i * classes + v] = 1;
    }
}
