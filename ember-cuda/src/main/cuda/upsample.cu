// Upsampling of NCHW planes: nearest and bilinear (align_corners or half-pixel), and the
// adjoint of each (gradients scattered back with atomics).
#include "ember.cuh"

__device__ __forceinline__ float source_coord(i64 o, i64 in, i64 out, int alignCorners) {
    if (alignCorners) return out > 1 ? (float)o * (float)(in - 1) / (float)(out - 1) : 0.f;
    float s = ((float)o + 0.5f) * (float)in / (float)out - 0.5f;
    return s < 0.f ? 0.f : s;
}

extern "C" __global__ void upsample_nearest2d_f32(i64 planes, i64 H, i64 W, i64 OH, i64 OW, const f32 *x, f32 *y) {
    GRID_STRIDE(i, planes * OH * OW) {
        i64 ow = i % OW, oh = (i / OW) % OH, pl = i / (OW * OH);
        i64 h = min((i64)((float)oh * (float)H / (float)OH), H - 1), w = min((i64)((float)ow * (float)W / (float)OW), W - 1);
        y[i] = x[pl * H * W + h * W + w];
    }
}

extern "C" __global__ void upsample_nearest2d_adjoint_f32(i64 planes, i64 H, i64 W, i64 OH, i64 OW, const f32 *dy, f32 *dx) {
    GRID_STRIDE(i, planes * OH * OW) {
        i64 ow = i % OW, oh = (i / OW) % OH, pl = i / (OW * OH);
        i64 h = min((i64)((float)oh * (float)H / (float)OH), H - 1), w = min((i64)((float)ow * (float)W / (float)OW), W - 1);
        atomicAdd(dx + pl * H * W + h * W + w, dy[i]);
    }
}

extern "C" __global__ void upsample_bilinear2d_f32(i64 planes, i64 H, i64 W, i64 OH, i64 OW, int alignCorners,
                                                   const f32 *x, f32 *y) {
    GRID_STRIDE(i, planes * OH * OW) {
        i64 ow = i % OW, oh = (i / OW) % OH, pl = i / (OW * OH);
        float sh = source_coord(oh, H, OH, alignCorners), sw = source_coord(ow, W, OW, alignCorners);
        i64 h0 = min((i64)sh, H - 1), w0 = min((i64)sw, W - 1);
        i64 h1 = min(h0 + 1, H - 1), w1 = min(w0 + 1, W - 1);
        float fh = sh - (float)h0, fw = sw - (float)w0;
        const f32 *p = x + pl * H * W;
        y[i] = (1 - fh) * ((1 - fw) * p[h0 * W + w0] + fw * p[h0 * W + w1]) + fh * ((1 - fw) * p[h1 * W + w0] + fw * p[h1 * W + w1]);
    }
}

extern "C" __global__ void upsample_bilinear2d_adjoint_f32(i64 planes, i64 H, i64 W, i64 OH, i64 OW, int alignCorners,
                                                           const f32 *dy, f32 *dx) {
    GRID_STRIDE(i, planes * OH * OW) {
        i64 ow = i % OW, oh = (i / OW) % OH, pl = i / (OW * OH);
        float sh = source_coord(oh, H, OH, alignCorners), sw = source_coord(ow, W, OW, alignCorners);
        i64 h0 = min((i64)sh, H - 1), w0 = min((i64)sw, W - 1);
        i64 h1 = min(h0 + 1, H - 1), w1 = min(w0 + 1, W - 1);
        float fh = sh - (float)h0, fw = sw - (float)w0, g = dy[i];
        f32 *p = dx + pl * H * W;
        atomicAdd(p + h0 * W + w0, (1 - fh) * (1 - fw) * g);
        atomicAdd(p + h0 * W + w1, (1 - fh) * fw * g);
        atomicAdd(p + h1 * W + w0, fh * (1 - fw) * g);
        atomicAdd(p + h1 * W + w1, fh * fw * g);
    }
}
