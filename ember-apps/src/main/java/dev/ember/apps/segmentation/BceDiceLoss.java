package dev.ember.apps.segmentation;

import dev.ember.core.Tensor;
import dev.ember.nn.F;
import dev.ember.train.data.Batch;
import dev.ember.train.trainer.LossFunction;

import java.util.Arrays;

/**
 * Binary cross-entropy plus soft Dice loss on one-channel logits, {@code BCE + (1 - Dice)},
 * Dice taken over the whole batch: {@code 2 sum(p t) / (sum p + sum t)} with {@code p} the
 * sigmoid of the logits. Targets may be soft (fractions of brain per pixel). When the target
 * is larger than the output (native-resolution masks in validation), the logits are first
 * resized to it bilinearly, so the loss is measured where the Dice is.
 *
 * <pre>{@code
 * Trainer.builder().loss(new BceDiceLoss()) ...
 * Tensor l = BceDiceLoss.of(logits, masks);
 * }</pre>
 */
public final class BceDiceLoss implements LossFunction {

    private static final double SMOOTH = 1.0;

    @Override
    public Tensor apply(Tensor output, Batch batch) { return of(output, batch.target()); }

    /** The loss of {@code logits} {@code [N, 1, h, w]} against {@code target} {@code [N, 1, H, W]}. */
    public static Tensor of(Tensor logits, Tensor target) {
        if (logits.dim() != 4 || target.dim() != 4 || logits.shape(0) != target.shape(0) || logits.shape(1) != target.shape(1)) {
            throw new IllegalArgumentException("BceDiceLoss: logits of shape " + Arrays.toString(logits.shape())
                    + " and target of shape " + Arrays.toString(target.shape()) + " must both be [N, 1, H, W] with the same N");
        }
        Tensor z = SlicePrep.toNative(logits, target.shape(2), target.shape(3));
        Tensor t = target.to(z.dtype());
        Tensor bce = F.binaryCrossEntropyWithLogits(z, t);
        Tensor p = z.sigmoid();
        Tensor dice = p.mul(t).sum().mul(2).add(SMOOTH).div(p.sum().add(t.sum()).add(SMOOTH));
        return bce.add(dice.neg().add(1));
    }
}
