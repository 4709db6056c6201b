package dev.ember.apps.segmentation;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.nn.F;

import java.util.Arrays;

/**
 * Turns axial slices of a volume into model inputs and model outputs back into native-size
 * masks, the same way for training, evaluation and {@code ember segment}.
 *
 * <pre>{@code
 * Tensor x = SlicePrep.inputs(volume, new int[] {40, 41}, 112, 96);  // [2, 1, 112, 96]
 * Tensor logits = model.forward(x);
 * Tensor native = SlicePrep.toNative(logits, 217, 181);              // [2, 1, 217, 181]
 * }</pre>
 */
public final class SlicePrep {

    private SlicePrep() {}

    /**
     * Slices {@code zs} of {@code volume} ({@code [z, y, x]}, any numeric dtype) normalised each
     * to zero mean and unit variance at native resolution, then area-averaged to {@code h x w}:
     * {@code [zs.length, 1, h, w]} f32.
     */
    public static Tensor inputs(Tensor volume, int[] zs, int h, int w) {
        try (var g = GradMode.disable()) {
            Tensor s = slices(volume, zs).to(DType.F32);
            int[] hw = {2, 3};
            Tensor mean = s.mean(hw, true);
            // a constant slice (all background) has std 0: leave it at 0 rather than dividing by 0
            Tensor std = s.std(hw, 0, true).clamp(1e-6, Double.MAX_VALUE);
            Tensor norm = s.sub(mean).div(std);
            return resample(norm, h, w);
        }
    }

    /** The brain masks ({@code mask > 0}) of slices {@code zs}: {@code [n, 1, H, W]} f32 of 0 and 1 at native size. */
    public static Tensor nativeMasks(Tensor maskVolume, int[] zs) {
        try (var g = GradMode.disable()) {
            return slices(maskVolume, zs).gt(0).to(DType.F32);
        }
    }

    /** The masks area-averaged to {@code h x w}: the fraction of brain in each model pixel (a soft target). */
    public static Tensor softMasks(Tensor maskVolume, int[] zs, int h, int w) {
        try (var g = GradMode.disable()) {
            return resample(nativeMasks(maskVolume, zs), h, w);
        }
    }

    /** Model logits {@code [n, 1, h, w]} resized bilinearly to the native {@code H x W}. */
    public static Tensor toNative(Tensor logits, int nativeH, int nativeW) {
        if (logits.shape(2) == nativeH && logits.shape(3) == nativeW) return logits;
        return F.upsampleBilinear2d(logits, nativeH, nativeW, false);
    }

    private static Tensor resample(Tensor x, int h, int w) {
        if (x.shape(2) == h && x.shape(3) == w) return x.contiguous();
        return F.adaptiveAvgPool2d(x, h, w);
    }

    private static Tensor slices(Tensor volume, int[] zs) {
        if (volume.dim() != 3) {
            throw new IllegalArgumentException("SlicePrep: expected a volume [z, y, x], got shape " + Arrays.toString(volume.shape()));
        }
        for (int z : zs) {
            if (z < 0 || z >= volume.shape(0)) {
                throw new IllegalArgumentException("SlicePrep: slice " + z + " is outside the volume's " + volume.shape(0) + " slices");
            }
        }
        long[] idx = Arrays.stream(zs).asLongStream().toArray();
        return volume.indexSelect(0, Tensor.of(idx, idx.length)).unsqueeze(1);
    }
}
