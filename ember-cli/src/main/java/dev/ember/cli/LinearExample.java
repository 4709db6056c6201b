package dev.ember.cli;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/**
 * The first example: {@code Linear(10, 1)} trained with MSE and plain SGD on random batches of
 * 32 drawn from a fixed linear target with noise; prints the mean loss of each epoch.
 */
@Command(name = "linear", description = "Train Linear(10, 1) with MSE and SGD on random batches; prints each epoch's loss.")
final class LinearExample implements Runnable {

    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batches", defaultValue = "20", description = "batches of 32 per epoch (default ${DEFAULT-VALUE})")
    int batches;

    @Option(names = "--lr", defaultValue = "0.05", description = "learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public void run() { train(epochs, batches, lr, seed, System.out); }

    /** Returns the loss of each epoch. */
    static double[] train(int epochs, int batches, double lr, long seed, PrintStream out) {
        Generator gen = Generator.seeded(seed);
        Tensor trueW = Tensor.randn(gen, 1, 10);
        Tensor trueB = Tensor.full(0.5, 1);
        // Linear(10, 1) with PyTorch's default initialisation: U(-1/sqrt(in), 1/sqrt(in))
        double bound = 1 / Math.sqrt(10);
        Tensor w = Tensor.rand(gen, 1, 10).mul(2 * bound).sub(bound).requiresGrad(true);
        Tensor b = Tensor.rand(gen, 1).mul(2 * bound).sub(bound).requiresGrad(true);
        double[] losses = new double[epochs];
        for (int epoch = 0; epoch < epochs; epoch++) {
            double total = 0;
            for (int i = 0; i < batches; i++) {
                try (var scope = MemoryScope.open("step")) {
                    Tensor x = Tensor.randn(gen, 32, 10);
                    Tensor y = x.matmul(trueW.t()).add(trueB).add(Tensor.randn(gen, 32, 1).mul(0.1));
                    Tensor pred = x.matmul(w.t()).add(b);
                    Tensor loss = pred.sub(y).square().mean();
                    w.setGrad(null);
                    b.setGrad(null);
                    loss.backward();
                    try (var off = GradMode.disable()) {
                        w.sub_(w.grad().mul(lr));
                        b.sub_(b.grad().mul(lr));
                    }
                    total += loss.item();
                }
            }
            losses[epoch] = total / batches;
            out.printf("epoch %2d  loss %.6f%n", epoch + 1, losses[epoch]);
        }
        return losses;
    }
}
