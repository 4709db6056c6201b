package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.PoolingOps;
import dev.ember.nn.Module;

import java.util.Arrays;

/**
 * Resizes {@code [N, C, H, W]} by a scale factor or to a fixed size, nearest or bilinear, as
 * PyTorch's {@code nn.Upsample} (output size {@code floor(H * scale)}).
 *
 * <pre>{@code
 * Tensor up = Upsample.scale(2, Upsample.Mode.BILINEAR, false).forward(x);   // [N, C, 2H, 2W]
 * Tensor to = Upsample.size(64, 64, Upsample.Mode.NEAREST).forward(x);
 * }</pre>
 */
public class Upsample extends Module {

    /** The interpolation. */
    public enum Mode { NEAREST, BILINEAR }

    private final double scale;
    private final int outH, outW;
    private final Mode mode;
    private final boolean alignCorners;

    private Upsample(double scale, int outH, int outW, Mode mode, boolean alignCorners) {
        this.scale = scale;
        this.outH = outH;
        this.outW = outW;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /** Scales H and W by {@code factor}; {@code alignCorners} matters for bilinear only. */
    public static Upsample scale(double factor, Mode mode, boolean alignCorners) {
        if (!(factor > 0)) throw new IllegalArgumentException("Upsample: scale factor must be positive, got " + factor);
        return new Upsample(factor, 0, 0, mode, alignCorners);
    }

    /** Resizes to {@code outH x outW}. */
    public static Upsample size(int outH, int outW, Mode mode) {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("Upsample: size " + outH + "x" + outW + " must be positive");
        return new Upsample(0, outH, outW, mode, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("Upsample: expected input [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        int h = outH, w = outW;
        if (scale > 0) {
            h = (int) Math.floor(x.shape(2) * scale);
            w = (int) Math.floor(x.shape(3) * scale);
        }
        return mode == Mode.NEAREST ? PoolingOps.upsampleNearest2d(x, h, w) : PoolingOps.upsampleBilinear2d(x, h, w, alignCorners);
    }
}
