package dev.ember.train.schedule;

import dev.ember.train.optim.Optimizer;

/** Linear warm-up from {@code startFactor} x base to the base rate over {@code warmupSteps}, then constant ({@code LinearLR}). */
public final class LinearWarmupLr extends LrScheduler {
    private final long warmupSteps;
    private final double startFactor;

    public LinearWarmupLr(Optimizer opt, long warmupSteps, double startFactor) {
        super(opt);
        if (warmupSteps <= 0) throw new IllegalArgumentException("LinearWarmupLr: warmupSteps must be positive");
        this.warmupSteps = warmupSteps;
        this.startFactor = startFactor;
        setStepCount(0);
    }

    @Override
    protected double lrAt(long step, double base) {
        double f = step >= warmupSteps ? 1 : startFactor + (1 - startFactor) * step / (double) warmupSteps;
        return base * f;
    }
}
