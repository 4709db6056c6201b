package dev.ember.train.schedule;

import dev.ember.train.optim.Optimizer;

/**
 * The one-cycle policy ({@code torch.optim.lr_scheduler.OneCycleLR}, cosine annealing): from
 * maxLr/divFactor up to maxLr over the first {@code pctStart} of the steps, then down to
 * maxLr/(divFactor*finalDivFactor).
 */
public final class OneCycleLr extends LrScheduler {
    private final double maxLr, pctStart, divFactor, finalDivFactor;
    private final long totalSteps;

    public OneCycleLr(Optimizer opt, double maxLr, long totalSteps) { this(opt, maxLr, totalSteps, 0.3, 25, 1e4); }

    public OneCycleLr(Optimizer opt, double maxLr, long totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        super(opt);
        if (totalSteps < 2) throw new IllegalArgumentException("OneCycleLr: totalSteps must be at least 2, got " + totalSteps);
        this.maxLr = maxLr;
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.divFactor = divFactor;
        this.finalDivFactor = finalDivFactor;
        setStepCount(0);
    }

    @Override
    protected double lrAt(long step, double base) {
        double initial = maxLr / divFactor, min = initial / finalDivFactor;
        double upEnd = pctStart * totalSteps - 1, downEnd = totalSteps - 1;
        if (step <= upEnd) return anneal(initial, maxLr, step / upEnd);
        return anneal(maxLr, min, Math.min(1, (step - upEnd) / (downEnd - upEnd)));
    }

    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }
}
