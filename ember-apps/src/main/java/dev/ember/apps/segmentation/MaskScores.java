package dev.ember.apps.segmentation;

import java.util.ArrayList;
import java.util.List;

/**
 * Overlap of predicted and true masks, slice by slice and over all pixels together.
 *
 * <pre>{@code
 * MaskScores s = new MaskScores();
 * s.add(42, predicted, truth);          // boolean or byte masks of one slice
 * s.dice(); s.iou(); s.meanSliceDice(); s.worst();
 * }</pre>
 */
public final class MaskScores {

    /** Counts for one slice; Dice is 1 when both masks are empty. */
    public record Slice(int z, long intersection, long predicted, long truth) {
        public double dice() { return predicted + truth == 0 ? 1.0 : 2.0 * intersection / (predicted + truth); }

        public double iou() {
            long union = predicted + truth - intersection;
            return union == 0 ? 1.0 : (double) intersection / union;
        }
    }

    private final List<Slice> slices = new ArrayList<>();

    /** Adds slice {@code z}: non-zero bytes are mask pixels. */
    public Slice add(int z, byte[] predicted, byte[] truth) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException("MaskScores.add: slice " + z + " has " + predicted.length + " predicted and " + truth.length + " true pixels");
        }
        long i = 0, p = 0, t = 0;
        for (int k = 0; k < predicted.length; k++) {
            boolean a = predicted[k] != 0, b = truth[k] != 0;
            if (a) p++;
            if (b) t++;
            if (a && b) i++;
        }
        Slice s = new Slice(z, i, p, t);
        slices.add(s);
        return s;
    }

    public List<Slice> slices() { return List.copyOf(slices); }

    /** Dice over every pixel of every slice added. */
    public double dice() {
        long i = 0, pt = 0;
        for (Slice s : slices) {
            i += s.intersection();
            pt += s.predicted() + s.truth();
        }
        return pt == 0 ? 1.0 : 2.0 * i / pt;
    }

    /** Intersection over union over every pixel of every slice added. */
    public double iou() {
        long i = 0, u = 0;
        for (Slice s : slices) {
            i += s.intersection();
            u += s.predicted() + s.truth() - s.intersection();
        }
        return u == 0 ? 1.0 : (double) i / u;
    }

    /** The mean of the slices' Dice scores. */
    public double meanSliceDice() {
        return slices.stream().mapToDouble(Slice::dice).average().orElse(Double.NaN);
    }

    /** The slice with the lowest Dice. */
    public Slice worst() {
        Slice w = null;
        for (Slice s : slices) if (w == null || s.dice() < w.dice()) w = s;
        if (w == null) throw new IllegalStateException("MaskScores.worst: no slices were added");
        return w;
    }
}
