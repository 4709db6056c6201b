// 2-d convolution (NCHW, groups, stride, padding, dilation) by implicit GEMM, for when cuDNN
// is absent: output [N*OH*OW, OC] = im2col(x) [N*OH*OW, K] x weight^T [K, OC], K = IC/g*KH*KW,
// the im2col matrix never materialised. 64x64 output tiles, 16-deep K slices in shared memory.
#include "ember.cuh"

struct Conv2d {
    i64 N, IC, H, W, OC, OH, OW;
    int KH, KW, sh, sw, ph, pw, dh, dw, groups;
};

#define TILE 64
#define KT 16

extern "C" __global__ void conv_forward_f32(Conv2d c, const f32 *x, const f32 *w, const f32 *bias, f32 *y) {
    __shared__ float As[KT][TILE];
    __shared__ float Bs[KT][TILE];
    int icg = (int)(c.IC / c.groups), ocg = (int)(c.OC / c.groups);
    int g = blockIdx.z;
    i64 K = (i64)icg * c.KH * c.KW;
    i64 M = c.N * c.OH * c.OW;
    i64 row0 = (i64)blockIdx.x * TILE;
    int col0 = blockIdx.y * TILE;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16; // 256 threads, each a 4x4 patch
    float acc[4][4] = {};
    for (i64 k0 = 0; k0 < K; k0 += KT) {
        for (int t = threadIdx.x; t < KT * TILE; t += blockDim.x) {
            int kk = t / TILE, mm = t % TILE;
            i64 k = k0 + kk, m = row0 + mm;
            float v = 0.f;
            if (k < K && m < M) {
                int ic = (int)(k / (c.KH * c.KW)), kh = (int)((k / c.KW) % c.KH), kw = (int)(k % c.KW);
                i64 ow = m % c.OW, oh = (m / c.OW) % c.OH, n = m / (c.OW * c.OH);
                i64 h = oh * c.sh - c.ph + kh * c.dh, wq = ow * c.sw - c.pw + kw * c.dw;
                if (h >= 0 && h < c.H && wq >= 0 && wq < c.W) v = x[((n * c.IC + g * icg + ic) * c.H + h) * c.W + wq];
            }
            As[kk][mm] = v;
            int oc = col0 + mm;
            Bs[kk][mm] = (k < K && oc < ocg) ? w[((i64)(g * ocg + oc)) * K + k] : 0.f;
        }
        __syncthreads();
        for (int kk = 0; kk < KT; kk++) {
            float a[4], b[4];
            for (int r = 0; r < 4; r++) a[r] = As[kk][ty * 4 + r];
            for (int s = 0; s < 4; s++) b[s] = Bs[kk][tx * 4 + s];
            for (int r = 0; r < 4; r++)
                for (int s = 0; s < 4; s++) acc[r][s] += a[r] * b[s];
        }
        __syncthreads();
    }
    for (int r = 0; r < 4; r++) {
        i64 m = row0 + ty * 4 + r;
        if (m >= M) continue;
        i64 ow = m % c.OW, oh = (m / c.OW) % c.OH, n = m / (c.OW * c.OH);
        for (int s = 0; s < 4; s++) {
            int oc = col0 + tx * 4 + s;
            if (oc >= ocg) continue;
            int o = g * ocg + oc;
            y[((n * c.OC + o) * c.OH + oh) * c.OW + ow] = acc[r][s] + (bias ? bias[o] : 0.f);
        }
    }
}
