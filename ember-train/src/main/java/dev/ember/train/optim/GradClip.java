package dev.ember.train.optim;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.nn.Parameter;

import java.util.List;

/** Gradient clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {

    private GradClip() {}

    /** Scales all gradients so their joint L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipGradNorm(List<Parameter> params, double maxNorm) {
        try (var off = GradMode.disable()) {
            double sq = 0;
            for (Parameter p : params) {
                Tensor g = p.grad();
                if (g != null) sq += g.to(DType.F64).square().sum().item();
            }
            double norm = Math.sqrt(sq);
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                for (Parameter p : params) if (p.grad() != null) p.grad().mul_(coef);
            }
            return norm;
        }
    }
}
