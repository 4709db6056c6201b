package dev.ember.train.trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run is and what it has seen: everything besides tensors that a checkpoint must hold
 * for a resumed run to continue exactly as if it had never stopped.
 */
public final class TrainerState {
    /** The epoch in progress (0-based) and the next batch of it. */
    public int epoch;
    public int batch;
    public long globalStep;
    public long schedulerStep;
    /** Seed and counter of the global generator (dropout and other draws without an explicit generator). */
    public long rngSeed;
    public long rngOffset;
    /** Running sums of the epoch in progress. */
    public double lossSum;
    public long exampleCount;
    public Map<String, double[]> metricState = new LinkedHashMap<>();
    /** One record per finished epoch: epoch, train_loss, val_loss, metrics, lr, seconds. */
    public List<Map<String, Double>> history = new ArrayList<>();
    public double bestValue = Double.NaN;
    public int bestEpoch = -1;
    public int epochsWithoutImprovement;
    public double secondsSoFar;
    public List<Map<String, Double>> optimizerHyperparameters = new ArrayList<>();
}
