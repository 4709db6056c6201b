package dev.ember.core.ops;

/**
 * How {@link IndexingOps#pad} fills the border, as {@code torch.nn.functional.pad}'s modes.
 *
 * <pre>{@code
 * // [1, 2, 3] padded by 2 on the left:
 * // CONSTANT (0): [0, 0, 1, 2, 3]   REFLECT: [3, 2, 1, 2, 3]   REPLICATE: [1, 1, 1, 2, 3]
 * }</pre>
 */
public enum PadMode {
    /** A fixed value. */
    CONSTANT,
    /** The input mirrored about its edge element, which is not repeated. */
    REFLECT,
    /** The edge element repeated. */
    REPLICATE
}
