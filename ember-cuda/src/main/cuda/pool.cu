// 2-d pooling on NCHW: max pooling with the flat index of each maximum (for its backward),
// average pooling, and the scatter of gradients back through those indices.
#include "ember.cuh"

struct Pool2d { i64 N, C, H, W, OH, OW; int kh, kw, sh, sw, ph, pw, dh, dw; int countPad; };

extern "C" __global__ void pool_max2d_f32(Pool2d p, const f32 *x, f32 *y, i64 *idx) {
    GRID_STRIDE(i, p.N * p.C * p.OH * p.OW) {
        i64 ow = i % p.OW, oh = (i / p.OW) % p.OH, nc = i / (p.OW * p.OH);
        const f32 *plane = x + nc * p.H * p.W;
        float best = -INFINITY;
        i64 at = -1;
        for (int a = 0; a < p.kh; a++) {
            i64 h = oh * p.sh - p.ph + a * p.dh;
            if (h < 0 || h >= p.H) continue;
            for (int b = 0; b < p.kw; b++) {
                i64 w = ow * p.sw - p.pw + b * p.dw;
                if (w < 0 || w >= p.W) continue;
                float v = plane[h * p.W + w];
                if (at < 0 || v > best || v != v) { best = v; at = h * p.W + w; }
                if (v != v) break;
            }
        }
        y[i] = best;
        if (idx) idx[i] = at;
    }
}

extern "C" __global__ void pool_avg2d_f32(Pool2d p, const f32 *x, f32 *y) {
    GRID_STRIDE(i, p.N * p.C * p.OH * p.OW) {
        i64 ow = i % p.OW, oh = (i / p.OW) % p.OH, nc = i / (p.OW * p.OH);
        const f32 *plane = x + nc * p.H * p.W;
        float s = 0.f;
        int count = 0;
        for (int a = 0; a < p.kh; a++) {
            i64 h = oh * p.sh - p.ph + a;
            for (int b = 0; b < p.kw; b++) {
                i64 w = ow * p.sw - p.pw + b;
                bool inside = h >= 0 && h < p.H && w >= 0 && w < p.W;
                if (inside) s += plane[h * p.W + w];
                if (inside || p.countPad) count++;
            }
        }
        y[i] = count ? s / (float)count : 0.f;
    }
}

// dx (zeroed by the caller) += dy at the recorded argmax of each output; planes of H*W inputs.
extern "C" __global__ void pool_max2d_backward_f32(i64 planes, i64 outPerPlane, i64 inPerPlane, const f32 *dy,
                                                   const i64 *idx, f32 *dx) {
    GRID_STRIDE(i, planes * outPerPlane) {
        i64 at = idx[i];
        if (at >= 0) atomicAdd(dx + (i / outPerPlane) * inPerPlane + at, dy[i]);
    }
}

// y[i] = x[plane, idx[i]]: the gather used for the max-pool double backward.
extern "C" __global__ void pool_gather_f32(i64 planes, i64 outPerPlane, i64 inPerPlane, const f32 *x, const i64 *idx,
                                           f32 *y) {
    GRID_STRIDE(i, planes * outPerPlane) {
        i64 at = idx[i];
        y[i] = at >= 0 ? x[(i / outPerPlane) * inPerPlane + at] : 0.f;
    }
}
