package dev.ember.nn;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.random.Generator;
import dev.ember.nn.zoo.Mlp;
import dev.ember.nn.zoo.SmallCnn;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {

    private static void sgdStep(Module m, double lr) {
        try (var off = GradMode.disable()) {
            for (Parameter p : m.parameters()) p.data().sub_(p.grad().mul(lr));
        }
        m.zeroGrad();
    }

    @Test
    void mlpLearnsXor() {
        Mlp mlp = new Mlp(Generator.seeded(3), 2, 16, 2);
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new long[] {0, 1, 1, 0}, 4);
        double first = 0, last = 0;
        for (int step = 0; step < 300; step++) {
            Tensor loss = F.crossEntropy(mlp.forward(x), y);
            if (step == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            sgdStep(mlp, 0.5);
        }
        assertTrue(last < 0.1 * first && last < 0.1, "loss " + first + " -> " + last);
        long[] pred = mlp.forward(x).argmax(1, false).toLongArray();
        assertTrue(pred[0] == 0 && pred[1] == 1 && pred[2] == 1 && pred[3] == 0);
    }

    @Test
    void smallCnnLossFalls() {
        Generator g = Generator.seeded(9);
        SmallCnn cnn = new SmallCnn(1, 3, 10, g);
        Tensor x = Tensor.randn(g, 6, 1, 10, 10);
        Tensor y = Tensor.of(new long[] {0, 1, 2, 0, 1, 2}, 6);
        cnn.eval();   // no dropout: the loss on a fixed batch should fall steadily
        double first = 0, last = 0;
        for (int step = 0; step < 15; step++) {
            Tensor loss = F.crossEntropy(cnn.forward(x), y);
            if (step == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            sgdStep(cnn, 0.1);
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }
}
