package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
        System.out.println(a.add(b));
        System.out.println(a.transpose(0, 1).mul(2).exp());
        System.out.println(a.sum(0, false));
        Tensor x = Tensor.randn(Generator.seeded(1), DType.F64, Device.CPU, 3, 4).requiresGrad(true);
        Tensor y = Tensor.randn(Generator.seeded(2), DType.F64, Device.CPU, 4).requiresGrad(true);
        GradCheck.check(in -> in[0].mul(in[1]).tanh().transpose(0, 1).sigmoid().add(in[1].unsqueeze(1)), x, y);
    }
}
