/*
 * A stand-in for libcudnn.so.9, built by LibraryStandInTest: descriptors are checked as cuDNN
 * checks them, the algorithm query ranks an unsupported candidate first, and the three
 * convolution passes and cudnnAddTensor are computed for f32 NCHW on "device" memory (host
 * memory from the stand-in libcuda), so results can be compared with the CPU backend.
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef struct { int type, n, c, h, w; } Tensor;
typedef struct { int pad[2], stride[2], dil[2], mode, compute, groups, math; } Conv;
typedef struct { int algo, status; float time; size_t memory; int determinism, mathType, reserved[3]; } Perf;

static long long live = 0;
static void *stream_set;
/* last: pass algo wsBytes groups math mode compute dataType, then ws pointer */
static long long last[9];

long long standin_dnn_live(void) { return live; }
void standin_dnn_last(long long *out9) { memcpy(out9, last, sizeof last); }
void *standin_dnn_stream(void) { return stream_set; }

const char *cudnnGetErrorString(int s) {
    switch (s) {
    case 0: return "CUDNN_STATUS_SUCCESS";
    case 2000: return "CUDNN_STATUS_BAD_PARAM";
    case 3000: return "CUDNN_STATUS_NOT_SUPPORTED";
    default: return "CUDNN_STATUS_UNKNOWN";
    }
}
int cudnnCreate(void **h) { *h = (void *)0xd00; return 0; }
int cudnnSetStream(void *h, void *s) { stream_set = s; return h == (void *)0xd00 ? 0 : 2000; }
static int create(void **d, size_t n) { *d = calloc(1, n); live++; return 0; }
static int destroy(void *d) { free(d); live--; return 0; }
int cudnnCreateTensorDescriptor(Tensor **d) { return create((void **)d, sizeof(Tensor)); }
int cudnnDestroyTensorDescriptor(Tensor *d) { return destroy(d); }
int cudnnCreateFilterDescriptor(Tensor **d) { return create((void **)d, sizeof(Tensor)); }
int cudnnDestroyFilterDescriptor(Tensor *d) { return destroy(d); }
int cudnnCreateConvolutionDescriptor(Conv **d) { return create((void **)d, sizeof(Conv)); }
int cudnnDestroyConvolutionDescriptor(Conv *d) { return destroy(d); }
int cudnnSetTensor4dDescriptor(Tensor *d, int format, int type, int n, int c, int h, int w) {
    if (format != 0 || n <= 0 || c <= 0 || h <= 0 || w <= 0) return 2000;
    d->type = type; d->n = n; d->c = c; d->h = h; d->w = w; return 0;
}
int cudnnSetFilter4dDescriptor(Tensor *d, int type, int format, int k, int c, int h, int w) {
    return cudnnSetTensor4dDescriptor(d, format, type, k, c, h, w);
}
int cudnnSetConvolution2dDescriptor(Conv *d, int ph, int pw, int u, int v, int dh, int dw, int mode, int compute) {
    if (u <= 0 || v <= 0 || dh <= 0 || dw <= 0 || ph < 0 || pw < 0) return 2000;
    d->pad[0] = ph; d->pad[1] = pw; d->stride[0] = u; d->stride[1] = v; d->dil[0] = dh; d->dil[1] = dw;
    d->mode = mode; d->compute = compute; d->groups = 1; return 0;
}
int cudnnSetConvolutionGroupCount(Conv *d, int g) { if (g <= 0) return 2000; d->groups = g; return 0; }
int cudnnSetConvolutionMathType(Conv *d, int m) { d->math = m; return 0; }

/* x [n, c, h, w], w [k, c/g, kh, kw], y [n, k, oh, ow]: the shapes a forward convolution needs */
static int consistent(const Tensor *x, const Tensor *w, const Conv *c, const Tensor *y) {
    if (x->c != w->c * c->groups || w->n != y->c || w->n % c->groups || x->n != y->n) return 0;
    int oh = (x->h + 2 * c->pad[0] - c->dil[0] * (w->h - 1) - 1) / c->stride[0] + 1;
    int ow = (x->w + 2 * c->pad[1] - c->dil[1] * (w->w - 1) - 1) / c->stride[1] + 1;
    return oh == y->h && ow == y->w;
}
static int algos(const Tensor *x, const Tensor *w, const Conv *c, const Tensor *y, int req, int *ret, Perf *p) {
    if (!consistent(x, w, c, y) || req < 2) return 2000;
    memset(p, 0, 2 * sizeof(Perf));
    p[0].algo = 7; p[0].status = 3000; p[0].memory = 1;
    p[1].algo = 1; p[1].status = 0; p[1].memory = 1024; p[1].mathType = c->math;
    *ret = 2;
    return 0;
}
int cudnnGetConvolutionForwardAlgorithm_v7(void *h, Tensor *x, Tensor *w, Conv *c, Tensor *y, int req, int *ret, Perf *p) { return algos(x, w, c, y, req, ret, p); }
int cudnnGetConvolutionBackwardDataAlgorithm_v7(void *h, Tensor *w, Tensor *dy, Conv *c, Tensor *dx, int req, int *ret, Perf *p) { return algos(dx, w, c, dy, req, ret, p); }
int cudnnGetConvolutionBackwardFilterAlgorithm_v7(void *h, Tensor *x, Tensor *dy, Conv *c, Tensor *dw, int req, int *ret, Perf *p) { return algos(x, dw, c, dy, req, ret, p); }
static int ws(int algo, size_t *b) { if (algo != 1) return 3000; *b = 1024; return 0; }
int cudnnGetConvolutionForwardWorkspaceSize(void *h, Tensor *x, Tensor *w, Conv *c, Tensor *y, int algo, size_t *b) { return ws(algo, b); }
int cudnnGetConvolutionBackwardDataWorkspaceSize(void *h, Tensor *w, Tensor *dy, Conv *c, Tensor *dx, int algo, size_t *b) { return ws(algo, b); }
int cudnnGetConvolutionBackwardFilterWorkspaceSize(void *h, Tensor *x, Tensor *dy, Conv *c, Tensor *dw, int algo, size_t *b) { return ws(algo, b); }

/* pass 0: y = conv(x, w); 1: x = conv^T(y, w); 2: w = grad(x, y) */
static int run(int pass, const float *alpha, const Tensor *xd, float *x, const Tensor *wd, float *w, const Conv *c, int algo,
               void *wsp, size_t wsb, const float *beta, const Tensor *yd, float *y) {
    if (!consistent(xd, wd, c, yd) || algo != 1 || wsb < 1024 || !wsp || *alpha != 1.f || *beta != 0.f) return 2000;
    long long v[9] = {pass, algo, (long long)wsb, c->groups, c->math, c->mode, c->compute, xd->type, (long long)(uintptr_t)wsp};
    memcpy(last, v, sizeof v);
    float *out = pass == 0 ? y : pass == 1 ? x : w;
    const Tensor *od = pass == 0 ? yd : pass == 1 ? xd : wd;
    memset(out, 0, sizeof(float) * od->n * od->c * od->h * od->w);
    int kg = wd->n / c->groups, cg = wd->c;
    for (int n = 0; n < yd->n; n++)
    for (int k = 0; k < yd->c; k++)
    for (int oy = 0; oy < yd->h; oy++)
    for (int ox = 0; ox < yd->w; ox++)
    for (int ci = 0; ci < cg; ci++)
    for (int ky = 0; ky < wd->h; ky++)
    for (int kx = 0; kx < wd->w; kx++) {
        int iy = oy * c->stride[0] - c->pad[0] + ky * c->dil[0], ix = ox * c->stride[1] - c->pad[1] + kx * c->dil[1];
        if (iy < 0 || iy >= xd->h || ix < 0 || ix >= xd->w) continue;
        int chan = (k / kg) * cg + ci;
        long long xi = (((long long)n * xd->c + chan) * xd->h + iy) * xd->w + ix;
        long long wi = (((long long)k * cg + ci) * wd->h + ky) * wd->w + kx;
        long long yi = (((long long)n * yd->c + k) * yd->h + oy) * yd->w + ox;
        if (pass == 0) y[yi] += x[xi] * w[wi];
        else if (pass == 1) x[xi] += y[yi] * w[wi];
        else w[wi] += x[xi] * y[yi];
    }
    return 0;
}
int cudnnConvolutionForward(void *h, const float *a, Tensor *xd, float *x, Tensor *wd, float *w, Conv *c, int algo, void *ws,
                            size_t wsb, const float *b, Tensor *yd, float *y) { return run(0, a, xd, x, wd, w, c, algo, ws, wsb, b, yd, y); }
int cudnnConvolutionBackwardData(void *h, const float *a, Tensor *wd, float *w, Tensor *dyd, float *dy, Conv *c, int algo, void *ws,
                                 size_t wsb, const float *b, Tensor *dxd, float *dx) { return run(1, a, dxd, dx, wd, w, c, algo, ws, wsb, b, dyd, dy); }
int cudnnConvolutionBackwardFilter(void *h, const float *a, Tensor *xd, float *x, Tensor *dyd, float *dy, Conv *c, int algo, void *ws,
                                   size_t wsb, const float *b, Tensor *dwd, float *dw) { return run(2, a, xd, x, dwd, dw, c, algo, ws, wsb, b, dyd, dy); }
int cudnnAddTensor(void *h, const float *a, Tensor *bd, const float *bias, const float *beta, Tensor *yd, float *y) {
    if (bd->n != 1 || bd->c != yd->c || bd->h != 1 || bd->w != 1 || *a != 1.f || *beta != 1.f) return 2000;
    for (long long i = 0; i < (long long)yd->n * yd->c * yd->h * yd->w; i++) y[i] += bias[(i / ((long long)yd->h * yd->w)) % yd->c];
    return 0;
}
