package dev.ember.nn.zoo;

import dev.ember.core.Tensor;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.PadMode;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.ConvTranspose2d;
import dev.ember.nn.layers.MaxPool2d;
import dev.ember.nn.layers.Sequential;
import dev.ember.nn.layers.Upsample;

import java.util.Arrays;

/**
 * U-Net (Ronneberger et al.) with configurable depth and width. With widths
 * {@code c_i = baseWidth * 2^i}: {@code inc} is a {@link DoubleConv}(in, c_0); {@code down.i}
 * (i = 0..depth-1) is max-pool 2 then DoubleConv(c_i, c_(i+1)); {@code up.j} (j = 0..depth-1,
 * from the deepest level k = depth - j) doubles H and W, concatenates the skip c_(k-1) and
 * applies {@code conv} = DoubleConv to c_(k-1). Upsampling is bilinear (then DoubleConv(c_k +
 * c_(k-1), c_(k-1))) or a transposed 2x2 conv {@code up.j.upconv} (c_k to c_(k-1), then
 * DoubleConv(2 c_(k-1), c_(k-1))). {@code outc} is a 1x1 conv to the output channels.
 * Inputs of any H and W work: they are zero-padded to a multiple of 2^depth and the output is
 * cropped back.
 *
 * <pre>{@code
 * UNet net = new UNet(1, 2, 4, 64, true);          // the paper's sizes, bilinear upsampling
 * Tensor logits = net.forward(images);             // [N, 2, H, W]
 * }</pre>
 */
public class UNet extends Module {

    private final int inChannels, depth;
    private final DoubleConv inc;
    private final Sequential down = new Sequential(), up = new Sequential();
    private final Conv2d outc;

    /** One decoder level: upsampling (a transposed conv, or bilinear), concatenation, double conv. */
    static final class Up extends Module {
        private final ConvTranspose2d upconv;
        private final Upsample bilinear;
        private final DoubleConv conv;

        Up(int deep, int skip, boolean useBilinear, Generator gen) {
            if (useBilinear) {
                upconv = null;
                bilinear = Upsample.scale(2, Upsample.Mode.BILINEAR, false);
                conv = register("conv", new DoubleConv(deep + skip, skip, gen));
            } else {
                upconv = register("upconv", new ConvTranspose2d(deep, skip, 2, 2, 0, gen));
                bilinear = null;
                conv = register("conv", new DoubleConv(2 * skip, skip, gen));
            }
        }

        Tensor forward(Tensor deep, Tensor skip) {
            Tensor u = upconv != null ? upconv.forward(deep) : bilinear.forward(deep);
            return conv.forward(IndexingOps.cat(new Tensor[] {skip, u}, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("UNet.Up needs the skip connection: call forward(deep, skip)");
        }
    }

    public UNet(int inChannels, int outChannels, int depth, int baseWidth, boolean bilinear) {
        this(inChannels, outChannels, depth, baseWidth, bilinear, Generator.global());
    }

    public UNet(int inChannels, int outChannels, int depth, int baseWidth, boolean bilinear, Generator gen) {
        if (inChannels <= 0 || outChannels <= 0 || depth < 1 || baseWidth <= 0 || depth > 12) {
            throw new IllegalArgumentException("UNet: inChannels " + inChannels + ", outChannels " + outChannels + ", baseWidth "
                    + baseWidth + " must be positive and depth " + depth + " in 1..12");
        }
        this.inChannels = inChannels;
        this.depth = depth;
        inc = register("inc", new DoubleConv(inChannels, baseWidth, gen));
        register("down", down);
        for (int i = 0; i < depth; i++) {
            down.add(new Sequential(new MaxPool2d(2), new DoubleConv(baseWidth << i, baseWidth << (i + 1), gen)));
        }
        register("up", up);
        for (int k = depth; k >= 1; k--) up.add(new Up(baseWidth << k, baseWidth << (k - 1), bilinear, gen));
        outc = register("outc", new Conv2d(baseWidth, outChannels, 1, 1, 0, true, gen));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.shape(1) != inChannels) {
            throw new IllegalArgumentException("UNet: expected input [N, " + inChannels + ", H, W], got shape " + Arrays.toString(x.shape()));
        }
        int h = x.shape(2), w = x.shape(3);
        Tensor padded = padToMultiple(x, 1 << depth);
        Tensor[] skips = new Tensor[depth + 1];
        skips[0] = inc.forward(padded);
        for (int i = 0; i < depth; i++) skips[i + 1] = down.get(i).forward(skips[i]);
        Tensor y = skips[depth];
        for (int j = 0; j < depth; j++) y = ((Up) up.get(j)).forward(y, skips[depth - 1 - j]);
        return cropTo(outc.forward(y), h, w);
    }

    /** Zero-pads H and W at the bottom and right up to a multiple of {@code m}. */
    static Tensor padToMultiple(Tensor x, int m) {
        int h = x.shape(2), w = x.shape(3);
        int ph = (m - h % m) % m, pw = (m - w % m) % m;
        return ph == 0 && pw == 0 ? x : IndexingOps.pad(x, new int[] {0, pw, 0, ph}, PadMode.CONSTANT, 0);
    }

    static Tensor cropTo(Tensor y, int h, int w) {
        return y.shape(2) == h && y.shape(3) == w ? y : y.narrow(2, 0, h).narrow(3, 0, w);
    }
}
