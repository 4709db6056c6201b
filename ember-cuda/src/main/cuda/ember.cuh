// Shared by every kernel family: the strided layout passed by value, the grid-stride loop,
// and the dtype names used in exported kernel names (family_op_dtype).
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

#define EMBER_MAX_DIMS 8

typedef long long i64;
typedef int i32;
typedef signed char i8;
typedef unsigned char u8;
typedef bool boolean; // one byte, 0 or 1, distinct from u8 for overloads
typedef float f32;
typedef double f64;
typedef __half f16;
typedef __nv_bfloat16 bf16;

// The output's shape and, for up to three operands, their element strides (0 where broadcast).
// Built by dev.ember.cuda.kernels.Layout: int ndim at 0, shape at 8, strides at 72 + 64 * k.
struct Layout {
    int ndim;
    i64 shape[EMBER_MAX_DIMS];
    i64 stride[3][EMBER_MAX_DIMS];
};

// Element offset of operand k for the output's linear index i.
__device__ __forceinline__ i64 offset_of(const Layout &L, int k, i64 i) {
    i64 off = 0;
    for (int d = L.ndim - 1; d >= 0; d--) {
        i64 s = L.shape[d];
        i64 c = i % s;
        i /= s;
        off += c * L.stride[k][d];
    }
    return off;
}

#define GRID_STRIDE(i, n) for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

template <typename T> __device__ __forceinline__ float to_f32(T v) { return (float)v; }
template <> __device__ __forceinline__ float to_f32<f16>(f16 v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_f32<bf16>(bf16 v) { return __bfloat162float(v); }

// Conversions through double, so every pair of dtypes converts the way the CPU backend does
// (floating to integer truncates toward zero; to bool is "not zero").
template <typename T> __device__ __forceinline__ double to_f64(T v) { return (double)v; }
template <> __device__ __forceinline__ double to_f64<f16>(f16 v) { return (double)__half2float(v); }
template <> __device__ __forceinline__ double to_f64<bf16>(bf16 v) { return (double)__bfloat162float(v); }

template <typename T> __device__ __forceinline__ T from_f64(double v) { return (T)v; }
template <> __device__ __forceinline__ f16 from_f64<f16>(double v) { return __float2half_rn((float)v); }
template <> __device__ __forceinline__ bf16 from_f64<bf16>(double v) { return __float2bfloat16_rn((float)v); }
template <> __device__ __forceinline__ boolean from_f64<boolean>(double v) { return v != 0.0 ? 1 : 0; }
template <> __device__ __forceinline__ i64 from_f64<i64>(double v) { return isnan(v) ? 0 : (i64)v; }
template <> __device__ __forceinline__ i32 from_f64<i32>(double v) { return isnan(v) ? 0 : (i32)(i64)v; }
template <> __device__ __forceinline__ i8 from_f64<i8>(double v) { return isnan(v) ? 0 : (i8)(i64)v; }
template <> __device__ __forceinline__ u8 from_f64<u8>(double v) { return isnan(v) ? 0 : (u8)(i64)v; }

// Block-wide sum of one float per thread (blockDim.x a multiple of 32, at most 1024).
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float warp_part[32];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) warp_part[warp] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    v = lane < nw ? warp_part[lane] : 0.f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
    return v;
}

__device__ __forceinline__ float block_max(float v) {
    __shared__ float warp_part[32];
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) warp_part[warp] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    v = lane < nw ? warp_part[lane] : -INFINITY;
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
    return v;
}
