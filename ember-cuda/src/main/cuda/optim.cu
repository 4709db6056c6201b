// Fused optimizer steps: one pass over parameter, gradient and state per step, instead of the
// half-dozen elementwise kernels the same update takes when composed from tensor ops.
#include "ember.cuh"

// SGD with momentum, dampening, Nesterov and (coupled) weight decay, as torch.optim.SGD.
extern "C" __global__ void optim_sgd_f32(i64 n, f32 *p, const f32 *g, f32 *buf, float lr, float momentum,
                                         float dampening, float weightDecay, int nesterov, int firstStep) {
    GRID_STRIDE(i, n) {
        float d = g[i] + weightDecay * p[i];
        if (momentum != 0.f) {
            float b = firstStep ? d : momentum * buf[i] + (1.f - dampening) * d;
            buf[i] = b;
            d = nesterov ? d + momentum * b : b;
        }
        p[i] -= lr * d;
    }
}

// Adam (decoupled = 0, weight decay added to the gradient) and AdamW (decoupled = 1).
// biasCorrection1 = 1 - beta1^t and biasCorrection2 = 1 - beta2^t are computed on the host.
extern "C" __global__ void optim_adam_f32(i64 n, f32 *p, const f32 *g, f32 *m, f32 *v, float lr, float beta1,
                                          float beta2, float eps, float weightDecay, int decoupled,
                                          float biasCorrection1, float biasCorrection2) {
    GRID_STRIDE(i, n) {
        float grad = g[i];
        if (decoupled) p[i] *= 1.f - lr * weightDecay;
        else grad += weightDecay * p[i];
        float mi = beta1 * m[i] + (1.f - beta1) * grad;
        float vi = beta2 * v[i] + (1.f - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi / biasCorrection2) + eps;
        p[i] -= lr * (mi / biasCorrection1) / denom;
    }
}
