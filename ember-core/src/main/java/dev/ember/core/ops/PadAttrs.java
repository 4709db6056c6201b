package dev.ember.core.ops;

/**
 * Padding of the last {@code pads.length / 2} dimensions, in PyTorch order (last dimension
 * first: left, right, then top, bottom, ...). All entries are non-negative here: the facade
 * turns negative constant padding into a slice first.
 */
public record PadAttrs(int[] pads, PadMode mode, double value) {

    /** The padded shape of an input of shape {@code in}. */
    public int[] paddedShape(int[] in) {
        int[] out = in.clone();
        for (int k = 0; k < pads.length / 2; k++) {
            int d = in.length - 1 - k;
            out[d] = in[d] + pads[2 * k] + pads[2 * k + 1];
        }
        return out;
    }

    /** Padding before dimension {@code d} of a rank-{@code rank} tensor (0 if not padded). */
    public int before(int d, int rank) {
        int k = rank - 1 - d;
        return k < pads.length / 2 ? pads[2 * k] : 0;
    }

    /** Padding after dimension {@code d} of a rank-{@code rank} tensor (0 if not padded). */
    public int after(int d, int rank) {
        int k = rank - 1 - d;
        return k < pads.length / 2 ? pads[2 * k + 1] : 0;
    }
}
