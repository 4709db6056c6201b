// Normalisation over the last `cols` elements of each row (layer norm, and group norm after a
// reshape): mean and inverse standard deviation per row, then the affine transform. Batch norm
// uses per-channel statistics over [N, C, HW].
#include "ember.cuh"

extern "C" __global__ void norm_layer_f32(i64 rows, i64 cols, const f32 *x, const f32 *w, const f32 *b, f32 *y,
                                          f32 *mean, f32 *rstd, float eps) {
    for (i64 row = blockIdx.x; row < rows; row += gridDim.x) {
        const f32 *p = x + row * cols;
        float s = 0.f;
        for (i64 c = threadIdx.x; c < cols; c += blockDim.x) s += p[c];
        float mu = block_sum(s) / (float)cols;
        float v = 0.f;
        for (i64 c = threadIdx.x; c < cols; c += blockDim.x) { float d = p[c] - mu; v += d * d; }
        float r = rsqrtf(block_sum(v) / (float)cols + eps);
        for (i64 c = threadIdx.x; c < cols; c += blockDim.x) {
            float o = (p[c] - mu) * r;
            if (w) o *= w[c];
            if (b) o += b[c];
            y[row * cols + c] = o;
        }
        if (threadIdx.x == 0) {
            if (mean) mean[row] = mu;
            if (rstd) rstd[row] = r;
        }
    }
}

// Per-channel statistics of x [N, C, HW] (biased variance), one block per channel.
extern "C" __global__ void norm_batch_stats_f32(i64 N, i64 C, i64 HW, const f32 *x, f32 *mean, f32 *var) {
    for (i64 c = blockIdx.x; c < C; c += gridDim.x) {
        i64 count = N * HW;
        float s = 0.f;
        for (i64 k = threadIdx.x; k < count; k += blockDim.x) s += x[(k / HW) * C * HW + c * HW + k % HW];
        float mu = block_sum(s) / (float)count;
        float v = 0.f;
        for (i64 k = threadIdx.x; k < count; k += blockDim.x) {
            float d = x[(k / HW) * C * HW + c * HW + k % HW] - mu;
            v += d * d;
        }
        v = block_sum(v) / (float)count;
        if (threadIdx.x == 0) { mean[c] = mu; var[c] = v; }
    }
}

extern "C" __global__ void norm_batch_apply_f32(i64 N, i64 C, i64 HW, const f32 *x, const f32 *mean, const f32 *var,
                                                const f32 *w, const f32 *b, f32 *y, float eps) {
    GRID_STRIDE(i, N * C * HW) {
        i64 c = (i / HW) % C;
        float o = (x[i] - mean[c]) * rsqrtf(var[c] + eps);
        if (w) o *= w[c];
        if (b) o += b[c];
        y[i] = o;
    }
}
