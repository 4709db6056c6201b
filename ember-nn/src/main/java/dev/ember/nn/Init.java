package dev.ember.nn;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.random.Generator;

import java.util.Arrays;

/**
 * Weight initialisation as {@code torch.nn.init}: every function fills its tensor in place
 * (without recording autograd) and returns it. Fans follow PyTorch: for a weight of shape
 * {@code [out, in, k...]}, {@code fanIn = in * prod(k)} and {@code fanOut = out * prod(k)}.
 *
 * <pre>{@code
 * Init.kaimingNormal(conv.weight().data(), 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, Generator.seeded(1));
 * Init.zeros(linear.bias().data());
 * }</pre>
 */
public final class Init {

    private Init() {}

    /** Which fan the Kaiming initialisers preserve the variance of. */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** Nonlinearities with a recommended gain ({@link #gain}). */
    public enum Nonlinearity { LINEAR, CONV, SIGMOID, TANH, RELU, LEAKY_RELU, SELU }

    /** {@code fanIn} and {@code fanOut} of a weight shape. */
    public record Fans(long fanIn, long fanOut) {}

    /**
     * Fans as {@code torch.nn.init._calculate_fan_in_and_fan_out}: the weight needs at least
     * two dimensions.
     * <pre>{@code Init.fans(new int[] {64, 3, 7, 7})   // Fans[fanIn=147, fanOut=3136]}</pre>
     */
    public static Fans fans(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("init: fan in and fan out need a tensor with at least 2 dimensions, got shape "
                    + Arrays.toString(shape));
        }
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new Fans((long) shape[1] * receptive, (long) shape[0] * receptive);
    }

    /**
     * The recommended gain of a nonlinearity, as {@code torch.nn.init.calculate_gain};
     * {@code param} is the negative slope for LEAKY_RELU (NaN means PyTorch's default 0.01).
     * <pre>{@code double g = Init.gain(Init.Nonlinearity.RELU, Double.NaN);   // sqrt(2)}</pre>
     */
    public static double gain(Nonlinearity nl, double param) {
        return switch (nl) {
            case LINEAR, CONV, SIGMOID -> 1.0;
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> {
                double a = Double.isNaN(param) ? 0.01 : param;
                yield Math.sqrt(2.0 / (1 + a * a));
            }
            case SELU -> 3.0 / 4;
        };
    }

    /** Fills {@code t} with U(low, high). <pre>{@code Init.uniform(w, -0.1, 0.1, gen);}</pre> */
    public static Tensor uniform(Tensor t, double low, double high, Generator gen) {
        Tensor u = Tensor.rand(gen, t.dtype(), t.device(), t.shape());
        return fill(t, u.mul(high - low).add(low));
    }

    /** Fills {@code t} with N(mean, std^2). <pre>{@code Init.normal(embedding, 0, 1, gen);}</pre> */
    public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
        Tensor n = Tensor.randn(gen, t.dtype(), t.device(), t.shape());
        return fill(t, n.mul(std).add(mean));
    }

    /** Fills {@code t} with a constant. <pre>{@code Init.constant(bias, 0.1);}</pre> */
    public static Tensor constant(Tensor t, double value) {
        try (var off = GradMode.disable()) {
            t.fill_(value);
        }
        return t;
    }

    /** <pre>{@code Init.zeros(bias);}</pre> */
    public static Tensor zeros(Tensor t) { return constant(t, 0); }

    /** <pre>{@code Init.ones(bnWeight);}</pre> */
    public static Tensor ones(Tensor t) { return constant(t, 1); }

    /**
     * He et al. uniform: U(-b, b) with {@code b = gain * sqrt(3 / fan)}; {@code a} is the
     * negative slope used by LEAKY_RELU.
     * <pre>{@code Init.kaimingUniform(w, Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, gen);}</pre>
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nl, Generator gen) {
        double bound = gain(nl, a) * Math.sqrt(3.0 / fan(t, mode));
        return uniform(t, -bound, bound, gen);
    }

    /**
     * He et al. normal: N(0, std^2) with {@code std = gain / sqrt(fan)}.
     * <pre>{@code Init.kaimingNormal(w, 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, gen);}</pre>
     */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nl, Generator gen) {
        double std = gain(nl, a) / Math.sqrt(fan(t, mode));
        return normal(t, 0, std, gen);
    }

    /**
     * Glorot uniform: U(-b, b) with {@code b = gain * sqrt(6 / (fanIn + fanOut))}.
     * <pre>{@code Init.xavierUniform(w, 1.0, gen);}</pre>
     */
    public static Tensor xavierUniform(Tensor t, double gain, Generator gen) {
        Fans f = fans(t.shape());
        double bound = gain * Math.sqrt(6.0 / (f.fanIn() + f.fanOut()));
        return uniform(t, -bound, bound, gen);
    }

    /**
     * Glorot normal: N(0, std^2) with {@code std = gain * sqrt(2 / (fanIn + fanOut))}.
     * <pre>{@code Init.xavierNormal(w, 1.0, gen);}</pre>
     */
    public static Tensor xavierNormal(Tensor t, double gain, Generator gen) {
        Fans f = fans(t.shape());
        return normal(t, 0, gain * Math.sqrt(2.0 / (f.fanIn() + f.fanOut())), gen);
    }

    /**
     * PyTorch's default for Linear and Conv weights: {@code kaiming_uniform_(w, a=sqrt(5))},
     * which is U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     * <pre>{@code Init.defaultWeight(linear.weight().data(), gen);}</pre>
     */
    public static Tensor defaultWeight(Tensor weight, Generator gen) {
        return kaimingUniform(weight, Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, gen);
    }

    /**
     * PyTorch's default for Linear and Conv biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with the
     * weight's fanIn (0 bound when fanIn is 0).
     * <pre>{@code Init.defaultBias(linear.bias().data(), linear.weight().data().shape(), gen);}</pre>
     */
    public static Tensor defaultBias(Tensor bias, int[] weightShape, Generator gen) {
        long fanIn = fans(weightShape).fanIn();
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(bias, -bound, bound, gen);
    }

    private static long fan(Tensor t, FanMode mode) {
        Fans f = fans(t.shape());
        long fan = mode == FanMode.FAN_IN ? f.fanIn() : f.fanOut();
        if (fan == 0) {
            throw new IllegalArgumentException("init: cannot initialise a tensor of shape " + Arrays.toString(t.shape())
                    + " with a zero " + (mode == FanMode.FAN_IN ? "fan in" : "fan out"));
        }
        return fan;
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (var off = GradMode.disable()) {
            t.copy_(values);
        }
        return t;
    }
}
