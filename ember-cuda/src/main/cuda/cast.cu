// dtype casts and strided copies: any input strides (broadcast allowed) to any output strides,
// converting through double exactly as the CPU backend's ElementIO does.
#include "ember.cuh"

#define CAST(FROM, TO)                                                                              \
    extern "C" __global__ void cast_##FROM##_##TO(i64 n, Layout L, const FROM *x, TO *y) {          \
        GRID_STRIDE(i, n) { y[offset_of(L, 1, i)] = from_f64<TO>(to_f64<FROM>(x[offset_of(L, 0, i)])); } \
    }

// Same-size copies need no conversion; integers keep all 64 bits.
#define COPY(T)                                                                                     \
    extern "C" __global__ void cast_copy_##T(i64 n, Layout L, const T *x, T *y) {                   \
        GRID_STRIDE(i, n) { y[offset_of(L, 1, i)] = x[offset_of(L, 0, i)]; }                        \
    }
COPY(u8) COPY(f16) COPY(f32) COPY(i64)

#define CAST_FROM(FROM) CAST(FROM, f32) CAST(FROM, f64) CAST(FROM, f16) CAST(FROM, bf16) CAST(FROM, i8) \
    CAST(FROM, u8) CAST(FROM, i32) CAST(FROM, i64) CAST(FROM, boolean)
CAST_FROM(f32) CAST_FROM(f64) CAST_FROM(f16) CAST_FROM(bf16) CAST_FROM(i8) CAST_FROM(u8) CAST_FROM(i32) CAST_FROM(boolean)

// i64 to narrower integers without a trip through double (which would lose bits above 2^53).
#define CAST_I64(TO) extern "C" __global__ void cast_i64_##TO(i64 n, Layout L, const i64 *x, TO *y) { \
        GRID_STRIDE(i, n) { y[offset_of(L, 1, i)] = (TO)x[offset_of(L, 0, i)]; } }
CAST_I64(i8) CAST_I64(u8) CAST_I64(i32)
CAST(i64, f32) CAST(i64, f64) CAST(i64, f16) CAST(i64, bf16) CAST(i64, boolean)
extern "C" __global__ void cast_i64_i64(i64 n, Layout L, const i64 *x, i64 *y) {
    GRID_STRIDE(i, n) { y[offset_of(L, 1, i)] = x[offset_of(L, 0, i)]; }
}
