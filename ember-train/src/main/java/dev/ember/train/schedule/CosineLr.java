package dev.ember.train.schedule;

import dev.ember.train.optim.Optimizer;

/**
 * Cosine annealing from the base rate to {@code minLr} over {@code totalSteps}
 * ({@code CosineAnnealingLR} without restarts), optionally after a linear warm-up from zero.
 */
public final class CosineLr extends LrScheduler {
    private final long totalSteps, warmupSteps;
    private final double minLr;

    public CosineLr(Optimizer opt, long totalSteps, double minLr) { this(opt, totalSteps, minLr, 0); }

    public CosineLr(Optimizer opt, long totalSteps, double minLr, long warmupSteps) {
        super(opt);
        if (totalSteps <= 0 || warmupSteps < 0 || warmupSteps >= totalSteps) {
            throw new IllegalArgumentException("CosineLr: need 0 <= warmupSteps < totalSteps, got " + warmupSteps + " and " + totalSteps);
        }
        this.totalSteps = totalSteps;
        this.minLr = minLr;
        this.warmupSteps = warmupSteps;
        setStepCount(0);
    }

    @Override
    protected double lrAt(long step, double base) {
        if (step < warmupSteps) return base * (step + 1) / (double) warmupSteps;
        double t = Math.min(1.0, (step - warmupSteps) / (double) (totalSteps - warmupSteps));
        return minLr + (base - minLr) * (1 + Math.cos(Math.PI * t)) / 2;
    }
}
