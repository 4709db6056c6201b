package dev.ember.nn.layers;

import java.util.Arrays;

/** Argument checks shared by the convolution layers. */
final class ConvShapes {

    private ConvShapes() {}

    static void check(String layer, int in, int out, int groups) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException(layer + ": channels must be positive, got in " + in + ", out " + out);
        if (groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(layer + ": groups " + groups + " must divide both in channels " + in + " and out channels " + out);
        }
    }

    /** One value for both dimensions, or two. */
    static int[] pair(String layer, String what, int[] v) {
        if (v == null || (v.length != 1 && v.length != 2)) {
            throw new IllegalArgumentException(layer + ": " + what + " needs 1 or 2 values, got " + Arrays.toString(v));
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }
}
