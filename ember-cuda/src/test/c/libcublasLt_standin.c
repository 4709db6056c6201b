/*
 * A stand-in for libcublasLt.so.13, built by LibraryStandInTest with the system C compiler. It
 * checks argument sizes as cuBLASLt does, records the last matmul, and computes f32 GEMMs with
 * the BIAS and RELU_BIAS epilogues on "device" memory (host memory from the stand-in libcuda).
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef struct { int compute, scale, transa, transb, epilogue; const float *bias; } Desc;
typedef struct { int type; uint64_t rows, cols; int64_t ld; } Layout;
typedef struct { uint64_t ws; unsigned align[4]; } Pref;
typedef struct { uint64_t data[8]; } Algo;
typedef struct { Algo algo; size_t workspaceSize; int state; float wavesCount; int reserved[4]; } Heuristic;

static long long live = 0, heuristic_calls = 0;
static int no_algo = 0;
/* last matmul: m n k transa transb epilogue compute lda ldb ldd algo0 wsSize, then pointers A B D bias ws stream, alignA maxWs */
static long long last[20];

void standin_lt_set_no_algo(int v) { no_algo = v; }
long long standin_lt_live(void) { return live; }
long long standin_lt_heuristic_calls(void) { return heuristic_calls; }
void standin_lt_last(long long *out20) { memcpy(out20, last, sizeof last); }

const char *cublasLtGetStatusName(int s) {
    switch (s) {
    case 0: return "CUBLAS_STATUS_SUCCESS";
    case 7: return "CUBLAS_STATUS_INVALID_VALUE";
    case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return 0;
    }
}

int cublasLtCreate(void **h) { *h = (void *)0x7e57; return 0; }
int cublasLtMatmulDescCreate(Desc **d, int compute, int scale) {
    *d = calloc(1, sizeof(Desc)); (*d)->compute = compute; (*d)->scale = scale; (*d)->epilogue = 1; live++; return 0;
}
int cublasLtMatmulDescSetAttribute(Desc *d, int attr, const void *buf, size_t size) {
    switch (attr) {
    case 3: if (size != 4) return 7; d->transa = *(const int *)buf; return 0;
    case 4: if (size != 4) return 7; d->transb = *(const int *)buf; return 0;
    case 7: if (size != 4) return 7; d->epilogue = *(const int *)buf; return 0;
    case 8: if (size != 8) return 7; d->bias = *(const float *const *)buf; return 0;
    default: return 7;
    }
}
int cublasLtMatmulDescDestroy(Desc *d) { free(d); live--; return 0; }
int cublasLtMatrixLayoutCreate(Layout **l, int type, uint64_t rows, uint64_t cols, int64_t ld) {
    if (ld < (int64_t)rows) return 7;
    *l = malloc(sizeof(Layout)); (*l)->type = type; (*l)->rows = rows; (*l)->cols = cols; (*l)->ld = ld; live++; return 0;
}
int cublasLtMatrixLayoutDestroy(Layout *l) { free(l); live--; return 0; }
int cublasLtMatmulPreferenceCreate(Pref **p) { *p = calloc(1, sizeof(Pref)); live++; return 0; }
int cublasLtMatmulPreferenceSetAttribute(Pref *p, int attr, const void *buf, size_t size) {
    if (attr == 1) { if (size != 8) return 7; p->ws = *(const uint64_t *)buf; return 0; }
    if (attr >= 5 && attr <= 8) { if (size != 4) return 7; p->align[attr - 5] = *(const unsigned *)buf; return 0; }
    return 7;
}
int cublasLtMatmulPreferenceDestroy(Pref *p) { free(p); live--; return 0; }
int cublasLtMatmulAlgoGetHeuristic(void *h, Desc *d, Layout *a, Layout *b, Layout *c, Layout *dd, Pref *p, int requested,
                                   Heuristic *out, int *count) {
    heuristic_calls++;
    if (h != (void *)0x7e57 || requested < 1) return 7;
    if (no_algo) { *count = 0; return 15; }
    memset(out, 0, sizeof(Heuristic));
    out->algo.data[0] = 0xA160;
    out->workspaceSize = p->ws < 4096 ? p->ws : 4096;
    *count = 1;
    last[18] = p->align[0];
    last[19] = (long long)p->ws;
    return 0;
}
int cublasLtMatmul(void *h, Desc *d, const float *alpha, const float *A, Layout *al, const float *B, Layout *bl, const float *beta,
                   const float *C, Layout *cl, float *D, Layout *dl, const Algo *algo, void *ws, size_t wsSize, void *stream) {
    if (h != (void *)0x7e57 || C != D || cl != dl) return 7;
    long long m = (long long)dl->rows, n = (long long)dl->cols;
    long long k = d->transa ? (long long)al->rows : (long long)al->cols;
    long long v[20] = {m, n, k, d->transa, d->transb, d->epilogue, d->compute, al->ld, bl->ld, dl->ld, (long long)algo->data[0],
                       (long long)wsSize, (long long)(uintptr_t)A, (long long)(uintptr_t)B, (long long)(uintptr_t)D,
                       (long long)(uintptr_t)d->bias, (long long)(uintptr_t)ws, (long long)(uintptr_t)stream, last[18], last[19]};
    memcpy(last, v, sizeof v);
    if (dl->type != 0) return 0; /* only f32 is computed */
    for (long long j = 0; j < n; j++) {
        for (long long i = 0; i < m; i++) {
            float s = 0;
            for (long long p = 0; p < k; p++) {
                float av = d->transa ? A[i * al->ld + p] : A[p * al->ld + i];
                float bv = d->transb ? B[p * bl->ld + j] : B[j * bl->ld + p];
                s += av * bv;
            }
            s = *alpha * s + *beta * C[j * cl->ld + i];
            if (d->epilogue & 4) s += d->bias[i];
            if ((d->epilogue & 2) && s < 0) s = 0;
            D[j * dl->ld + i] = s;
        }
    }
    return 0;
}
