/*
 * A stand-in for libcuda.so.1, built by CudaDriverStandInTest with the system C compiler, so
 * the binding layer (symbol names, argument layouts, error mapping) is exercised on machines
 * without a GPU. "Device memory" is host memory; the stand-in records the last launch.
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1
#define CUDA_ERROR_OUT_OF_MEMORY 2
#define CUDA_ERROR_NOT_INITIALIZED 3
#define CUDA_ERROR_NO_DEVICE 100
#define CUDA_ERROR_INVALID_DEVICE 101

static int initialized = 0;
static int mode_no_device = 0;
static int driver_version = 13000;
static size_t alloc_limit = (size_t)1 << 30;
static long long live_allocs = 0;

/* test hooks */
void standin_set_no_device(int v) { mode_no_device = v; }
void standin_set_driver_version(int v) { driver_version = v; }
void standin_set_alloc_limit(size_t v) { alloc_limit = v; }
long long standin_live_allocs(void) { return live_allocs; }

static unsigned last_grid[3], last_block[3], last_shared;
static void *last_stream;
static char last_function[128];
static unsigned char last_params[3][8];
void standin_last_launch(unsigned *out7, char *name, unsigned char *params24) {
    out7[0] = last_grid[0]; out7[1] = last_grid[1]; out7[2] = last_grid[2];
    out7[3] = last_block[0]; out7[4] = last_block[1]; out7[5] = last_block[2]; out7[6] = last_shared;
    strcpy(name, last_function);
    memcpy(params24, last_params, sizeof last_params);
}

CUresult cuGetErrorName(CUresult e, const char **s) {
    switch (e) {
    case 0: *s = "CUDA_SUCCESS"; return 0;
    case 1: *s = "CUDA_ERROR_INVALID_VALUE"; return 0;
    case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
    case 3: *s = "CUDA_ERROR_NOT_INITIALIZED"; return 0;
    case 100: *s = "CUDA_ERROR_NO_DEVICE"; return 0;
    case 101: *s = "CUDA_ERROR_INVALID_DEVICE"; return 0;
    default: *s = 0; return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult cuGetErrorString(CUresult e, const char **s) {
    switch (e) {
    case 0: *s = "no error"; return 0;
    case 1: *s = "invalid argument"; return 0;
    case 2: *s = "out of memory"; return 0;
    case 3: *s = "initialization error"; return 0;
    case 100: *s = "no CUDA-capable device is detected"; return 0;
    case 101: *s = "invalid device ordinal"; return 0;
    default: *s = 0; return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (mode_no_device) return CUDA_ERROR_NO_DEVICE;
    initialized = 1;
    return 0;
}
CUresult cuDriverGetVersion(int *v) { *v = driver_version; return 0; }
CUresult cuDeviceGetCount(int *n) { if (!initialized) return CUDA_ERROR_NOT_INITIALIZED; *n = 2; return 0; }
CUresult cuDeviceGet(CUdevice *d, int ordinal) {
    if (ordinal < 0 || ordinal > 1) return CUDA_ERROR_INVALID_DEVICE;
    *d = 10 + ordinal; /* handles differ from ordinals, as they may on a real driver */
    return 0;
}
CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
    if (d < 10 || d > 11) return CUDA_ERROR_INVALID_DEVICE;
    strncpy(name, d == 10 ? "Stand-in GPU A" : "Stand-in GPU B", len);
    name[len - 1] = 0;
    return 0;
}
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
    if (d < 10 || d > 11) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = (size_t)80 << 30;
    return 0;
}
CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d) {
    if (d < 10 || d > 11) return CUDA_ERROR_INVALID_DEVICE;
    switch (attr) {
    case 1: *v = 1024; return 0;
    case 16: *v = d == 10 ? 132 : 108; return 0;
    case 75: *v = d == 10 ? 9 : 8; return 0;
    case 76: *v = 0; return 0;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
}
static int ctx_storage[2];
CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice d) { *ctx = &ctx_storage[d - 10]; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) { return 0; }
CUresult cuCtxSetCurrent(void *ctx) { return 0; }
CUresult cuCtxSynchronize(void) { return 0; }

#ifdef OLD_DRIVER
/* a pre-CUDA-3.2 driver exports only the 32-bit entry point, which Ember must not bind */
CUresult cuMemAlloc(unsigned *p, unsigned bytes) { return CUDA_ERROR_INVALID_VALUE; }
#else
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    if (bytes > alloc_limit) return CUDA_ERROR_OUT_OF_MEMORY;
    void *m = malloc(bytes);
    if (!m) return CUDA_ERROR_OUT_OF_MEMORY;
    live_allocs++;
    *p = (CUdeviceptr)(uintptr_t)m;
    return 0;
}
#endif
CUresult cuMemFree_v2(CUdeviceptr p) { if (!p) return CUDA_ERROR_INVALID_VALUE; free((void *)(uintptr_t)p); live_allocs--; return 0; }
CUresult cuMemGetInfo_v2(size_t *f, size_t *t) { *f = (size_t)79 << 30; *t = (size_t)80 << 30; return 0; }
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) { memcpy((void *)(uintptr_t)dst, src, n); return 0; }
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) { memcpy(dst, (void *)(uintptr_t)src, n); return 0; }
CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) { memmove((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n); return 0; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) { if (!dst || !src) return CUDA_ERROR_INVALID_VALUE; memcpy((void *)(uintptr_t)dst, src, n); return 0; }
CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) { if (!dst || !src) return CUDA_ERROR_INVALID_VALUE; memcpy(dst, (void *)(uintptr_t)src, n); return 0; }
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *s) { memmove((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n); return 0; }
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, void *s) { memset((void *)(uintptr_t)dst, v, n); return 0; }
CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags) { *p = malloc(bytes); return *p ? 0 : CUDA_ERROR_OUT_OF_MEMORY; }
CUresult cuMemFreeHost(void *p) { free(p); return 0; }

static int stream_storage[64], stream_next;
CUresult cuStreamCreate(void **s, unsigned flags) { *s = &stream_storage[stream_next++ % 64]; return 0; }
CUresult cuStreamDestroy_v2(void *s) { return 0; }
CUresult cuStreamSynchronize(void *s) { return 0; }
CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags) { return 0; }
static float event_time[64]; static int event_next;
CUresult cuEventCreate(void **e, unsigned flags) { *e = &event_time[event_next++ % 64]; return 0; }
CUresult cuEventRecord(void *e, void *s) { static float clock = 0; clock += 1.5f; *(float *)e = clock; return 0; }
CUresult cuEventSynchronize(void *e) { return 0; }
CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) { *ms = *(float *)b - *(float *)a; return 0; }
CUresult cuEventDestroy_v2(void *e) { return 0; }

static int module_storage;
CUresult cuModuleLoadData(void **m, const void *image) { if (!image) return CUDA_ERROR_INVALID_VALUE; *m = &module_storage; return 0; }
CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
    char *copy = strdup(name);
    *f = copy;
    return 0;
}
CUresult cuModuleUnload(void *m) { return 0; }
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void *stream, void **params, void **extra) {
    if (bx * by * bz > 1024) return CUDA_ERROR_INVALID_VALUE;
    last_grid[0] = gx; last_grid[1] = gy; last_grid[2] = gz;
    last_block[0] = bx; last_block[1] = by; last_block[2] = bz;
    last_shared = shared; last_stream = stream;
    strncpy(last_function, (const char *)f, sizeof last_function - 1);
    for (int i = 0; i < 3; i++) memcpy(last_params[i], params[i], 8);
    return 0;
}
