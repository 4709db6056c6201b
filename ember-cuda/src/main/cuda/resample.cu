// Separable linear resampling of NCHW planes: average pooling, adaptive average pooling and
// nearest / bilinear upsampling, and the adjoint of each. Every one is
//   y[p][oh][ow] = sum_a sum_b wr[a] * wc[b] * x[p][ri[a]][ci[b]]
// over the sparse rows (a in rs[oh] .. rs[oh+1]) and columns of two weight matrices that
// dev.ember.core.ops.PoolingOps computes once for every backend; an adjoint passes the
// transposed matrices. A gather per output element: no atomics, deterministic.
#include "ember.cuh"

struct Sparse {
    const int *start;   // out + 1 offsets into index / weight
    const int *index;   // input position of each entry
    const double *weight;
};

template <typename T>
__device__ void resample(i64 planes, i64 H, i64 W, i64 OH, i64 OW, Sparse r, Sparse c, const T *x, T *y) {
    GRID_STRIDE(i, planes * OH * OW) {
        i64 ow = i % OW, oh = (i / OW) % OH, p = i / (OW * OH);
        const T *plane = x + p * H * W;
        T acc = 0; // f32 sums in f32: GPUs other than the data-centre ones run f64 at 1/64 speed
        for (int a = r.start[oh]; a < r.start[oh + 1]; a++) {
            const T *row = plane + (i64)r.index[a] * W;
            T s = 0;
            for (int b = c.start[ow]; b < c.start[ow + 1]; b++) s += (T)c.weight[b] * row[c.index[b]];
            acc += (T)r.weight[a] * s;
        }
        y[i] = acc;
    }
}

#define RESAMPLE(T)                                                                                      \
    extern "C" __global__ void resample_2d_##T(i64 planes, i64 H, i64 W, i64 OH, i64 OW, Sparse r, Sparse c, \
                                               const T *x, T *y) {                                       \
        resample(planes, H, W, OH, OW, r, c, x, y);                                                      \
    }
RESAMPLE(f32) RESAMPLE(f64)
