// 2-d convolution pieces for NCHW tensors, GEMMs done by cuBLAS (dev.ember.cuda.kernels.ConvKernels).
// A chunk of nb images is unfolded into a column matrix col[C*KH*KW][nb*L] (L = OH*OW, images
// side by side along the columns) so that each group is one large GEMM instead of nb small ones:
//   conv2d:             y_g[OCg][nb*L]  = W_g[OCg][Kg] x col_g[Kg][nb*L]            (im2col)
//   conv2d_weight_grad: W_g[OCg][Kg]   += gy_g[OCg][nb*L] x col_g[Kg][nb*L]^T       (im2col)
//   conv_transpose2d:   col_g[Kg][nb*L] = W_g[Cin_g][Kg]^T x x_g[Cin_g][nb*L]        (col2im)
// and the [N][C][L] <-> [C][N*L] reorders between them.
#include "ember.cuh"

// Sizes of the image side (C, H, W) and of the convolution-output side (OH, OW) of a column matrix.
struct ConvGeom {
    i64 nb, C, H, W, OH, OW;
    int KH, KW, sh, sw, ph, pw, dh, dw;
};

// col[(c*KH + kh)*KW + kw][j*L + oh*OW + ow] = x[j][c][oh*sh - ph + kh*dh][ow*sw - pw + kw*dw] (0 outside)
template <typename T> __device__ void im2col(const ConvGeom &g, const T *x, T *col) {
    i64 L = g.OH * g.OW, cols = g.nb * L;
    GRID_STRIDE(i, g.C * g.KH * g.KW * cols) {
        i64 l = i % L, j = (i / L) % g.nb, r = i / cols;
        int kw = (int)(r % g.KW), kh = (int)((r / g.KW) % g.KH);
        i64 c = r / (g.KH * g.KW);
        i64 ow = l % g.OW, oh = l / g.OW;
        i64 h = oh * g.sh - g.ph + (i64)kh * g.dh, w = ow * g.sw - g.pw + (i64)kw * g.dw;
        col[i] = (h >= 0 && h < g.H && w >= 0 && w < g.W) ? x[((j * g.C + c) * g.H + h) * g.W + w] : (T)0;
    }
}

// y[j][c][h][w] = bias[c] + sum of the column entries im2col would have read from (h, w): a
// gather, so no atomics and a deterministic order.
template <typename T> __device__ void col2im(const ConvGeom &g, const T *col, const T *bias, T *y) {
    i64 L = g.OH * g.OW, cols = g.nb * L;
    GRID_STRIDE(i, g.nb * g.C * g.H * g.W) {
        i64 w = i % g.W, h = (i / g.W) % g.H, c = (i / (g.W * g.H)) % g.C, j = i / (g.W * g.H * g.C);
        T v = bias ? bias[c] : (T)0;
        for (int kh = 0; kh < g.KH; kh++) {
            i64 th = h + g.ph - (i64)kh * g.dh;
            if (th < 0 || th % g.sh != 0) continue;
            i64 oh = th / g.sh;
            if (oh >= g.OH) continue;
            for (int kw = 0; kw < g.KW; kw++) {
                i64 tw = w + g.pw - (i64)kw * g.dw;
                if (tw < 0 || tw % g.sw != 0) continue;
                i64 ow = tw / g.sw;
                if (ow >= g.OW) continue;
                v += col[((c * g.KH + kh) * g.KW + kw) * cols + j * L + oh * g.OW + ow];
            }
        }
        y[i] = v;
    }
}

// dst[c][j*L + l] = src[j][c][l]
template <typename T> __device__ void to_cnl(i64 nb, i64 C, i64 L, const T *src, T *dst) {
    GRID_STRIDE(i, nb * C * L) {
        i64 l = i % L, c = (i / L) % C, j = i / (L * C);
        dst[c * nb * L + j * L + l] = src[i];
    }
}

// dst[j][c][l] = src[c][j*L + l] + bias[c]
template <typename T> __device__ void from_cnl(i64 nb, i64 C, i64 L, const T *src, const T *bias, T *dst) {
    GRID_STRIDE(i, nb * C * L) {
        i64 l = i % L, c = (i / L) % C, j = i / (L * C);
        dst[i] = src[c * nb * L + j * L + l] + (bias ? bias[c] : (T)0);
    }
}

// y[r][c] = bias[c] for rows of C columns: the starting value of a GEMM that adds into it (linear).
template <typename T> __device__ void bias_rows(i64 n, i64 C, const T *bias, T *y) {
    GRID_STRIDE(i, n) y[i] = bias[i % C];
}

#define CONV(T)                                                                                          \
    extern "C" __global__ void conv_im2col_##T(ConvGeom g, const T *x, T *col) { im2col(g, x, col); }     \
    extern "C" __global__ void conv_col2im_##T(ConvGeom g, const T *col, const T *bias, T *y) { col2im(g, col, bias, y); } \
    extern "C" __global__ void conv_to_cnl_##T(i64 nb, i64 C, i64 L, const T *src, T *dst) { to_cnl(nb, C, L, src, dst); } \
    extern "C" __global__ void conv_from_cnl_##T(i64 nb, i64 C, i64 L, const T *src, const T *bias, T *dst) { \
        from_cnl(nb, C, L, src, bias, dst);                                                              \
    }                                                                                                    \
    extern "C" __global__ void conv_bias_rows_##T(i64 n, i64 C, const T *bias, T *y) { bias_rows(n, C, bias, y); }
CONV(f32) CONV(f64)
