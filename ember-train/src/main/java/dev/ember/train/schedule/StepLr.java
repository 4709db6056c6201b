package dev.ember.train.schedule;

import dev.ember.train.optim.Optimizer;

/** Multiplies the rate by {@code gamma} every {@code stepSize} steps ({@code torch.optim.lr_scheduler.StepLR}). */
public final class StepLr extends LrScheduler {
    private final long stepSize;
    private final double gamma;

    public StepLr(Optimizer opt, long stepSize, double gamma) {
        super(check(opt, stepSize));
        this.stepSize = stepSize;
        this.gamma = gamma;
        setStepCount(0);
    }

    private static Optimizer check(Optimizer opt, long stepSize) {
        if (stepSize <= 0) throw new IllegalArgumentException("StepLr: stepSize must be positive, got " + stepSize);
        return opt;
    }

    @Override
    protected double lrAt(long step, double base) { return base * Math.pow(gamma, step / stepSize); }
}
