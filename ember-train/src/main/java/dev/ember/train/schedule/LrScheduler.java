package dev.ember.train.schedule;

import dev.ember.train.optim.Optimizer;
import dev.ember.train.optim.ParamGroup;

/**
 * Sets the learning rate of every parameter group as a closed-form function of the step count,
 * so its whole state is one number and a resumed run gets the same rates.
 * Call {@link #step()} once per scheduling step (per batch or per epoch, as the schedule is built).
 */
public abstract class LrScheduler {

    private final Optimizer optimizer;
    private final double[] baseLrs;
    private long step;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLrs = optimizer.groups().stream().mapToDouble(ParamGroup::lr).toArray();
        // subclasses call setStepCount(0) once their fields are set, which applies step 0's rate
    }

    /** The learning rate at {@code step} for a group whose initial rate is {@code baseLr}. */
    protected abstract double lrAt(long step, double baseLr);

    public void step() {
        step++;
        apply();
    }

    public long stepCount() { return step; }

    /** Restores the step count (from a checkpoint) and sets the rates for it. */
    public void setStepCount(long s) {
        this.step = s;
        apply();
    }

    public double lr() { return optimizer.groups().get(0).lr(); }

    private void apply() {
        for (int i = 0; i < baseLrs.length; i++) optimizer.groups().get(i).setLr(lrAt(step, baseLrs[i]));
    }
}
