package dev.ember.apps.segmentation;

import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.io.SafeTensors;
import dev.ember.train.io.NiftiHeader;
import dev.ember.train.io.NiftiImage;
import dev.ember.train.io.NiftiReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class SegmenterTest {

    @TempDir
    static Path tmp;
    static Path modelDir;

    @BeforeAll
    static void tinyModel() throws IOException {
        modelDir = tmp.resolve("model");
        SegModelSpec spec = SegModelSpec.unet(1, 2, 16, 16);
        Module net = spec.build(Generator.seeded(3));
        Files.createDirectories(modelDir);
        SafeTensors.saveModule(net, modelDir.resolve("model.safetensors"));
        spec.write(modelDir.resolve("model.json"), Map.of("which_model", "untrained, for tests"));
    }

    private static byte[] voxels(int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) v[i] = (byte) ((i * 37) % 251);
        return v;
    }

    @Test
    void specRoundTripsThroughModelJson() throws IOException {
        assertEquals(SegModelSpec.unet(1, 2, 16, 16), SegModelSpec.read(modelDir.resolve("model.json")));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"format\": \"something-else\"}");
        var e = assertThrows(IOException.class, () -> SegModelSpec.read(bad));
        assertTrue(e.getMessage().contains("not an Ember segmentation model description"), e.getMessage());
    }

    @Test
    void segmentWritesAMaskWithTheInputsGeometry() throws IOException {
        int[] dims = {20, 24, 5};
        for (String name : new String[] {"scan.nii", "scan.nii.gz"}) {
            Path in = tmp.resolve(name);
            byte[] file = TestData.nifti(dims, voxels(20 * 24 * 5));
            Files.write(in, name.endsWith(".gz") ? gzip(file) : file);
            Path out = tmp.resolve("mask-" + name);
            Segmenter s = Segmenter.load(modelDir, Device.CPU);
            var mask = s.segmentFile(in, out);
            assertArrayEquals(new int[] {5, 24, 20}, mask.shape());

            NiftiHeader src = NiftiReader.readHeader(in);
            NiftiImage back = NiftiReader.read(out);
            NiftiHeader h = back.header();
            assertArrayEquals(src.dims(), h.dims());
            assertArrayEquals(src.pixdim(), h.pixdim());
            assertEquals(src.qformCode(), h.qformCode());
            assertEquals(src.sformCode(), h.sformCode());
            assertArrayEquals(src.quaternion(), h.quaternion());
            for (int r = 0; r < 3; r++) assertArrayEquals(src.srow()[r], h.srow()[r]);
            assertEquals(src.xyztUnits(), h.xyztUnits());
            assertEquals(NiftiHeader.DT_UINT8, h.datatype());
            assertArrayEquals(mask.contiguous().toByteArray(), back.data().contiguous().toByteArray());
            for (byte b : back.data().toByteArray()) assertTrue(b == 0 || b == 1, "mask values are 0 or 1, got " + b);
        }
    }

    @Test
    void flipAveragingMakesTheLogitsMirrorSymmetric() throws IOException {
        int z = 2, h = 20, w = 17;
        float[] v = new float[z * h * w];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37) % 251;
        float[] m = new float[v.length];
        for (int k = 0; k < z * h; k++) for (int x = 0; x < w; x++) m[k * w + x] = v[k * w + (w - 1 - x)];
        Tensor volume = Tensor.of(v, z, h, w), mirrored = Tensor.of(m, z, h, w);
        int[] zs = {0, 1};
        Module net = SegModelSpec.unet(1, 2, 16, 16).build(Generator.seeded(5));
        Segmenter plain = new Segmenter(net, SegModelSpec.unet(1, 2, 16, 16), Device.CPU, 2);
        SegModelSpec flipSpec = SegModelSpec.unet(1, 2, 16, 16).withFlipAverage(true);
        Segmenter flip = new Segmenter(net, flipSpec, Device.CPU, 2);

        float[] a = flip.logits(volume, zs).toFloatArray(), b = flip.logits(mirrored, zs).toFloatArray();
        float[] p = plain.logits(volume, zs).toFloatArray(), q = plain.logits(mirrored, zs).toFloatArray();
        double flipErr = 0, plainErr = 0, meanErr = 0;
        for (int k = 0; k < z * h; k++) {
            for (int x = 0; x < w; x++) {
                int i = k * w + x, j = k * w + (w - 1 - x);
                flipErr = Math.max(flipErr, Math.abs(a[i] - b[j]));
                plainErr = Math.max(plainErr, Math.abs(p[i] - q[j]));
                meanErr = Math.max(meanErr, Math.abs(a[i] - (p[i] + q[j]) / 2));
            }
        }
        assertTrue(flipErr < 1e-5, "flip-averaged logits of the mirrored volume are the mirrored logits; max difference " + flipErr);
        assertTrue(meanErr < 1e-5, "flip-averaged logits are the mean of the slice's and its mirror's; max difference " + meanErr);
        assertTrue(plainErr > 1e-4, "without averaging an untrained model is not mirror symmetric; max difference " + plainErr);

        Path json = tmp.resolve("flip.json");
        flipSpec.write(json, Map.of());
        assertEquals(flipSpec, SegModelSpec.read(json));
    }

    @Test
    void aTrailingSizeOfOneIsAVolume() throws IOException {
        Path in = tmp.resolve("t1.nii");
        Files.write(in, TestData.nifti(new int[] {20, 24, 5, 1}, voxels(20 * 24 * 5)));
        Path out = tmp.resolve("t1-mask.nii");
        Segmenter.load(modelDir, Device.CPU).segmentFile(in, out);
        assertArrayEquals(new int[] {20, 24, 5, 1}, NiftiReader.readHeader(out).dims());
    }

    @Test
    void notNiftiIsAClearError() throws IOException {
        Path in = tmp.resolve("notes.nii.gz");
        Files.writeString(in, "these are notes, not a scan; long enough to hold a header? no.\n".repeat(10));
        var e = assertThrows(IOException.class, () -> Segmenter.readVolume(in));
        assertTrue(e.getMessage().contains("cannot read " + in + " as a NIfTI-1 volume"), e.getMessage());
        assertTrue(e.getMessage().contains("not a NIfTI-1 file"), e.getMessage());
    }

    @Test
    void wrongDimensionalityIsAClearError() throws IOException {
        Path flat = tmp.resolve("slice.nii");
        Files.write(flat, TestData.nifti(new int[] {20, 24}, voxels(20 * 24)));
        var e = assertThrows(IOException.class, () -> Segmenter.readVolume(flat));
        assertTrue(e.getMessage().contains("expected a 3-d volume (x, y, z), but the NIfTI header has 2 dimensions of sizes [20, 24]"),
                e.getMessage());
        Path series = tmp.resolve("series.nii");
        Files.write(series, TestData.nifti(new int[] {20, 24, 5, 3}, voxels(20 * 24 * 5 * 3)));
        e = assertThrows(IOException.class, () -> Segmenter.readVolume(series));
        assertTrue(e.getMessage().contains("4 dimensions of sizes [20, 24, 5, 3]") && e.getMessage().contains("split into 3-d volumes"),
                e.getMessage());
    }

    @Test
    void truncatedFilesAreAClearError() throws IOException {
        byte[] whole = TestData.nifti(new int[] {20, 24, 5}, voxels(20 * 24 * 5));
        Path cut = tmp.resolve("cut.nii");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        var e = assertThrows(IOException.class, () -> Segmenter.readVolume(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());

        byte[] gz = gzip(whole);
        Path cutGz = tmp.resolve("cut.nii.gz");
        Files.write(cutGz, Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(IOException.class, () -> Segmenter.readVolume(cutGz));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path header = tmp.resolve("header-only.nii");
        Files.write(header, Arrays.copyOf(whole, 200));
        e = assertThrows(IOException.class, () -> Segmenter.readVolume(header));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void missingFilesAreNamed() {
        var e = assertThrows(NoSuchFileException.class, () -> Segmenter.readVolume(tmp.resolve("nope.nii.gz")));
        assertTrue(e.getMessage().contains("nope.nii.gz") && e.getMessage().contains("not found"), e.getMessage());
        e = assertThrows(NoSuchFileException.class, () -> Segmenter.load(tmp.resolve("no-model"), Device.CPU));
        assertTrue(e.getMessage().contains("no-model") && e.getMessage().contains("--out folder"), e.getMessage());
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(bo)) {
            z.write(b);
        }
        return bo.toByteArray();
    }
}
