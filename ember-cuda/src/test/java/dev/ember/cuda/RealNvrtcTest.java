package dev.ember.cuda;

import dev.ember.core.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real NVRTC where one is installed (NVRTC needs no GPU): FusedChain's generated kernels
 * compile to PTX for compute_90, and ptxas accepts that PTX for sm_90. Point EMBER_CUDA_PATH at
 * a folder holding libnvrtc.so.13 (for example the nvidia-cuda-nvrtc wheel's nvidia/cu13/lib).
 */
class RealNvrtcTest {

    static Nvrtc nvrtc() {
        CudaLibraries.Found f = CudaLibraries.fromEnvironment().find(CudaLibraries.NVRTC);
        if (!f.isPresent()) System.out.println("RealNvrtcTest skipped: " + f.missingReason());
        assumeTrue(f.isPresent(), "no NVRTC here");
        return Nvrtc.load(f);
    }

    @Test
    void fusedChainKernelsCompileToPtxThatPtxasAcceptsForSm90(@TempDir Path dir) throws Exception {
        Nvrtc n = nvrtc();
        int[] archs = n.supportedArchitectures();
        assertTrue(java.util.Arrays.stream(archs).anyMatch(a -> a == 90), java.util.Arrays.toString(archs));
        FusedChain chain = FusedChain.start().mul(0.5).add(1).tanh().gelu().sigmoid().silu().pow(2).rsub(3).rdiv(1).max(-1).min(1)
                .exp().log().sqrt().relu().neg();
        Path ptxas = Path.of("/usr/local/cuda/bin/ptxas");
        for (DType t : List.of(DType.F32, DType.F16, DType.BF16)) {
            byte[] ptx = n.compile(chain.cudaSource(t), "chain_" + t.shortName() + ".cu",
                    List.of("--gpu-architecture=compute_90", "--std=c++17"), false);
            String text = new String(ptx);
            assertTrue(text.contains(".visible .entry ember_chain("), text.substring(0, Math.min(400, text.length())));
            if (!Files.isExecutable(ptxas)) continue;
            Path file = dir.resolve(t.shortName() + ".ptx");
            Files.write(file, ptx);
            Process p = new ProcessBuilder(ptxas.toString(), "-arch=sm_90", "-o", dir.resolve(t.shortName() + ".cubin").toString(),
                    file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "ptxas on " + t + ":\n" + out);
        }
        byte[] cubin = n.compile(chain.cudaSource(DType.F32), "chain.cu", List.of("--gpu-architecture=sm_90"), true);
        assertEquals(0x7f, cubin[0] & 0xff, "an ELF cubin");
        assertEquals('E', cubin[1]);
    }

    @Test
    void aCompileErrorCarriesNvrtcsLog() {
        Nvrtc n = nvrtc();
        Nvrtc.CompileException e = assertThrows(Nvrtc.CompileException.class, () -> n.compile(
                "extern \"C\" __global__ void k(float *x) { x[0] = undefined_name; }", "broken.cu",
                List.of("--gpu-architecture=compute_90"), false));
        assertTrue(e.getMessage().contains("NVRTC_ERROR_COMPILATION (6)"), e.getMessage());
        assertTrue(e.log().contains("broken.cu") && e.log().contains("undefined_name"), e.log());
    }
}
