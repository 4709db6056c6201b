// fill, ranges and counter-based random draws: the formula of dev.ember.core.random.CounterHash,
// so the same seed gives the same bits on the GPU as on the CPU.
#include "ember.cuh"

#define FILL(T) extern "C" __global__ void creation_fill_##T(i64 n, T *y, double v) { \
        T t = from_f64<T>(v); GRID_STRIDE(i, n) y[i] = t; }
FILL(f32) FILL(f64) FILL(f16) FILL(bf16) FILL(i8) FILL(u8) FILL(i32) FILL(boolean)
extern "C" __global__ void creation_fill_i64(i64 n, i64 *y, i64 v) { GRID_STRIDE(i, n) y[i] = v; }

#define RANGE(T) extern "C" __global__ void creation_range_##T(i64 n, T *y, double start, double step, double end, int both) { \
        GRID_STRIDE(i, n) y[i] = from_f64<T>(both && i >= n / 2 ? end - (double)(n - 1 - i) * step : start + (double)i * step); }
RANGE(f32) RANGE(f64) RANGE(f16) RANGE(bf16) RANGE(i8) RANGE(u8) RANGE(i32) RANGE(i64) RANGE(boolean)

__device__ __forceinline__ unsigned long long counter_bits(unsigned long long seed, unsigned long long counter) {
    unsigned long long z = seed + (counter + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// kind: 0 uniform, 1 normal, 2 integer in [low, high)
#define RANDOM(T, IS_F64)                                                                           \
    extern "C" __global__ void creation_random_##T(i64 n, T *y, int kind, i64 seed, i64 offset, i64 low, i64 high) { \
        GRID_STRIDE(i, n) {                                                                         \
            unsigned long long b = counter_bits((unsigned long long)seed, (unsigned long long)(offset + i)); \
            if (kind == 0) {                                                                        \
                y[i] = IS_F64 ? from_f64<T>((double)(b >> 11) * 0x1.0p-53)                          \
                              : from_f64<T>((double)((float)(b >> 40) * 0x1.0p-24f));               \
            } else if (kind == 1) {                                                                 \
                double u1 = ((double)(b >> 32) + 1.0) * 0x1.0p-32;                                  \
                double u2 = (double)(b & 0xFFFFFFFFULL) * 0x1.0p-32;                                \
                y[i] = from_f64<T>(sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2));       \
            } else {                                                                                \
                unsigned long long range = (unsigned long long)(high - low);                       \
                y[i] = (T)(low + (i64)(b % range));                                                 \
            }                                                                                       \
        }                                                                                           \
    }
RANDOM(f32, 0) RANDOM(f64, 1) RANDOM(f16, 0) RANDOM(bf16, 0) RANDOM(i8, 0) RANDOM(u8, 0) RANDOM(i32, 0) RANDOM(i64, 0)
