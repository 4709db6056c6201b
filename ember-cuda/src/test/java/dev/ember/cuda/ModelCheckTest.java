package dev.ember.cuda;

import dev.ember.core.Device;
import dev.ember.core.random.Generator;
import dev.ember.nn.zoo.UNet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ModelCheck's comparison run CPU against CPU, so the GPU machine's script has run at least once. */
class ModelCheckTest {

    @Test
    void modelComparisonRunsAndAgreesWithItself() {
        ModelCheck c = new ModelCheck();
        c.agree("unet", () -> new UNet(1, 2, 2, 4, true, Generator.seeded(12)), Device.CPU, 2, 1, 16, 0);
        // a ResNet-18 on the CPU costs ~20 s here (11M parameters); its path differs only by the cross-entropy loss
        assertEquals(0, c.failures);
    }
}
