// Elementwise and broadcast ops: unary (with up to two scalar parameters), binary with NumPy
// broadcasting through Layout strides, comparisons to bool, where, and a fused chain that runs
// a short program of unary/scalar steps in registers (one read, one write).
#include "ember.cuh"

template <typename T> __device__ __forceinline__ T ember_sign(T x) { return (T)((x > (T)0) - (x < (T)0)); }
__device__ __forceinline__ double sigmoid_d(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
__device__ __forceinline__ float sigmoid_f(float x) { return x >= 0 ? 1.f / (1.f + __expf(-x)) : __expf(x) / (1.f + __expf(x)); }

#define UNARY(NAME, T, EXPR)                                                                        \
    extern "C" __global__ void elementwise_##NAME##_##T(i64 n, Layout L, const T *xp, T *y, double a, double b) { \
        GRID_STRIDE(i, n) {                                                                         \
            T x = xp[offset_of(L, 0, i)];                                                           \
            y[i] = (T)(EXPR);                                                                       \
        }                                                                                           \
    }

#define UNARY_FLOAT(NAME, EXPR_F, EXPR_D) UNARY(NAME, f32, EXPR_F) UNARY(NAME, f64, EXPR_D)
#define UNARY_NUMERIC(NAME, EXPR) UNARY(NAME, f32, EXPR) UNARY(NAME, f64, EXPR) UNARY(NAME, i32, EXPR) UNARY(NAME, i64, EXPR) UNARY(NAME, i8, EXPR) UNARY(NAME, u8, EXPR)

UNARY_NUMERIC(neg, -x)
UNARY_NUMERIC(abs, x < 0 ? -x : x)
UNARY_NUMERIC(sign, ember_sign(x))
UNARY_NUMERIC(relu, x > 0 ? x : 0)
UNARY_NUMERIC(clamp, (isnan(a) || (double)x >= a ? ((isnan(b) || (double)x <= b) ? (double)x : b) : a))
UNARY_FLOAT(exp, expf(x), exp(x))
UNARY_FLOAT(log, logf(x), log(x))
UNARY_FLOAT(sqrt, sqrtf(x), sqrt(x))
UNARY_FLOAT(rsqrt, rsqrtf(x), 1.0 / sqrt(x))
UNARY_FLOAT(sin, sinf(x), sin(x))
UNARY_FLOAT(cos, cosf(x), cos(x))
UNARY_FLOAT(tanh, tanhf(x), tanh(x))
UNARY_FLOAT(sigmoid, sigmoid_f(x), sigmoid_d(x))
UNARY_FLOAT(leaky_relu, x > 0 ? x : x * (float)a, x > 0 ? x : x * a)
UNARY_FLOAT(silu, x * sigmoid_f(x), x * sigmoid_d(x))
UNARY_FLOAT(softplus, x * (float)a > (float)b ? x : log1pf(expf(x * (float)a)) / (float)a,
            x * a > b ? x : log1p(exp(x * a)) / a)
UNARY_FLOAT(pow_scalar, a == 2.0 ? x * x : powf(x, (float)a), a == 2.0 ? x * x : pow(x, a))
UNARY_FLOAT(reciprocal, 1.f / x, 1.0 / x)
UNARY_FLOAT(erf, erff(x), erf(x))

#define BINARY(NAME, T, OUT, EXPR)                                                                  \
    extern "C" __global__ void elementwise_##NAME##_##T(i64 n, Layout L, const T *ap, const T *bp, OUT *y) { \
        GRID_STRIDE(i, n) {                                                                         \
            T x = ap[offset_of(L, 0, i)];                                                           \
            T z = bp[offset_of(L, 1, i)];                                                           \
            y[i] = (OUT)(EXPR);                                                                     \
        }                                                                                           \
    }

#define BINARY_NUMERIC(NAME, EXPR) BINARY(NAME, f32, f32, EXPR) BINARY(NAME, f64, f64, EXPR) BINARY(NAME, i32, i32, EXPR) \
    BINARY(NAME, i64, i64, EXPR) BINARY(NAME, i8, i8, EXPR) BINARY(NAME, u8, u8, EXPR)
#define COMPARE(NAME, EXPR) BINARY(NAME, f32, boolean, EXPR) BINARY(NAME, f64, boolean, EXPR) BINARY(NAME, i32, boolean, EXPR) \
    BINARY(NAME, i64, boolean, EXPR) BINARY(NAME, i8, boolean, EXPR) BINARY(NAME, u8, boolean, EXPR) \
    BINARY(NAME, boolean, boolean, EXPR)

BINARY_NUMERIC(add, x + z)
BINARY_NUMERIC(sub, x - z)
BINARY_NUMERIC(mul, x * z)
BINARY_NUMERIC(maximum, (x != x || z != z) ? (x != x ? x : z) : (x > z ? x : z))
BINARY_NUMERIC(minimum, (x != x || z != z) ? (x != x ? x : z) : (x < z ? x : z))
BINARY(div, f32, f32, x / z)
BINARY(div, f64, f64, x / z)
BINARY(pow, f32, f32, powf(x, z))
BINARY(pow, f64, f64, pow(x, z))
COMPARE(eq, x == z)
COMPARE(ne, x != z)
COMPARE(lt, x < z)
COMPARE(le, x <= z)
COMPARE(gt, x > z)
COMPARE(ge, x >= z)

#define WHERE(T)                                                                                    \
    extern "C" __global__ void elementwise_where_##T(i64 n, Layout L, const boolean *c, const T *ap, const T *bp, T *y) { \
        GRID_STRIDE(i, n) {                                                                         \
            y[i] = c[offset_of(L, 0, i)] ? ap[offset_of(L, 1, i)] : bp[offset_of(L, 2, i)];         \
        }                                                                                           \
    }
WHERE(f32) WHERE(f64) WHERE(f16) WHERE(bf16) WHERE(i32) WHERE(i64) WHERE(i8) WHERE(u8) WHERE(boolean)

// A fused chain: y = step_k(... step_1(x)), each step an opcode with one scalar operand, so a
// sequence such as x * 0.5 + 1 then tanh runs as one kernel. Opcodes match FusedChain.Step.
enum ChainOp { C_ADD = 0, C_MUL = 1, C_MAX = 2, C_MIN = 3, C_EXP = 4, C_LOG = 5, C_TANH = 6, C_SIGMOID = 7, C_RELU = 8,
               C_SQRT = 9, C_RSUB = 10, C_RDIV = 11, C_POW = 12, C_GELU_ERF = 13, C_SILU = 14, C_NEG = 15 };
struct Chain {
    int steps;
    int op[16];
    float arg[16];
};

__device__ __forceinline__ float chain_apply(const Chain &c, float v) {
    for (int s = 0; s < c.steps; s++) {
        float a = c.arg[s];
        switch (c.op[s]) {
        case C_ADD: v += a; break;
        case C_MUL: v *= a; break;
        case C_MAX: v = fmaxf(v, a); break;
        case C_MIN: v = fminf(v, a); break;
        case C_EXP: v = expf(v); break;
        case C_LOG: v = logf(v); break;
        case C_TANH: v = tanhf(v); break;
        case C_SIGMOID: v = sigmoid_f(v); break;
        case C_RELU: v = v > 0.f ? v : 0.f; break;
        case C_SQRT: v = sqrtf(v); break;
        case C_RSUB: v = a - v; break;
        case C_RDIV: v = a / v; break;
        case C_POW: v = powf(v, a); break;
        case C_GELU_ERF: v = 0.5f * v * (1.f + erff(v * 0.70710678118654752f)); break;
        case C_SILU: v = v * sigmoid_f(v); break;
        case C_NEG: v = -v; break;
        }
    }
    return v;
}

extern "C" __global__ void elementwise_chain_f32(i64 n, const f32 *x, f32 *y, Chain c) {
    GRID_STRIDE(i, n) y[i] = chain_apply(c, x[i]);
}
extern "C" __global__ void elementwise_chain_f16(i64 n, const f16 *x, f16 *y, Chain c) {
    GRID_STRIDE(i, n) y[i] = __float2half(chain_apply(c, __half2float(x[i])));
}
extern "C" __global__ void elementwise_chain_bf16(i64 n, const bf16 *x, bf16 *y, Chain c) {
    GRID_STRIDE(i, n) y[i] = __float2bfloat16(chain_apply(c, __bfloat162float(x[i])));
}
