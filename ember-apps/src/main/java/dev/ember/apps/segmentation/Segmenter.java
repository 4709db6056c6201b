package dev.ember.apps.segmentation;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.io.SafeTensors;
import dev.ember.train.io.NiftiHeader;
import dev.ember.train.io.NiftiImage;
import dev.ember.train.io.NiftiReader;
import dev.ember.train.io.NiftiWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Segments axial slices of a volume with a trained model, slice by slice, and writes whole
 * volumes back as NIfTI masks with the input's geometry.
 *
 * <pre>{@code
 * Segmenter s = Segmenter.load(Path.of("runs/brain-unet"), Device.best());
 * s.segmentFile(Path.of("scan.nii.gz"), Path.of("mask.nii.gz"));
 * }</pre>
 */
public final class Segmenter {

    private final Module model;
    private final SegModelSpec spec;
    private final Device device;
    private final int batch;

    /** Uses {@code model} (already on {@code device}) in eval mode, {@code batch} slices at a time. */
    public Segmenter(Module model, SegModelSpec spec, Device device, int batch) {
        if (batch < 1) throw new IllegalArgumentException("Segmenter: batch " + batch + " must be positive");
        this.model = model;
        this.spec = spec;
        this.device = device;
        this.batch = batch;
    }

    /** Rebuilds the model described by {@code dir/model.json} with the weights {@code dir/model.safetensors}. */
    public static Segmenter load(Path dir, Device device) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model folder not found (it is the --out folder of `ember train brain-unet`)");
        }
        SegModelSpec spec = SegModelSpec.read(dir.resolve("model.json"));
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) throw new NoSuchFileException(weights.toString(), null, "model weights not found");
        Module net = spec.build(Generator.seeded(0));
        try {
            SafeTensors.loadModule(net, weights, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(weights + " does not fit the model described in model.json (" + spec + "): " + e.getMessage(), e);
        }
        return new Segmenter(net.to(device), spec, device, 8);
    }

    public SegModelSpec spec() { return spec; }

    public Module model() { return model; }

    /** The logits of slices {@code zs} of {@code volume} at native size: {@code [n, 1, H, W]} f32 on the host. */
    public Tensor logits(Tensor volume, int[] zs) {
        int h = volume.shape(1), w = volume.shape(2);
        boolean was = model.isTraining();
        model.eval();
        Tensor out = Tensor.empty(DType.F32, Device.CPU, zs.length, 1, h, w);
        try (var g = GradMode.disable()) {
            for (int from = 0; from < zs.length; from += batch) {
                int[] part = Arrays.copyOfRange(zs, from, Math.min(zs.length, from + batch));
                try (var scope = MemoryScope.open("segment")) {
                    Tensor x = SlicePrep.inputs(volume, part, spec.inputHeight(), spec.inputWidth()).to(device);
                    Tensor y = SlicePrep.toNative(forward(x), h, w).to(Device.CPU).to(DType.F32);
                    out.narrow(0, from, part.length).copy_(y);
                }
            }
        } finally {
            model.train(was);
        }
        return out;
    }

    /** The model's logits at input size; with flip averaging, the mean with those of the mirrored slice, mirrored back. */
    private Tensor forward(Tensor x) {
        Tensor y = model.forward(x);
        if (!spec.flipAverage()) return y;
        int w = x.shape(3);
        long[] rev = new long[w];
        for (int i = 0; i < w; i++) rev[i] = w - 1 - i;
        Tensor idx = Tensor.of(rev, w).to(x.device());
        Tensor mirrored = model.forward(x.indexSelect(3, idx)).indexSelect(3, idx);
        return y.add(mirrored).mul(0.5);
    }

    /** Masks of slices {@code zs}: {@code [n, H, W]} u8, 1 where the model says brain. */
    public Tensor masks(Tensor volume, int[] zs) {
        try (var g = GradMode.disable()) {
            return logits(volume, zs).gt(0).to(DType.U8).squeeze(1);
        }
    }

    /** The mask of every slice of {@code volume} ({@code [z, y, x]}): u8 of the same shape. */
    public Tensor segment(Tensor volume) {
        int[] all = new int[volume.shape(0)];
        Arrays.setAll(all, i -> i);
        return masks(volume, all);
    }

    /**
     * Reads a NIfTI-1 volume, segments it and writes the mask (uint8, 1 = brain) with the input's
     * dimensions, voxel size and orientation; returns the mask.
     */
    public Tensor segmentFile(Path input, Path output) throws IOException {
        NiftiImage img = readVolume(input);
        Tensor mask = segment(img.scaled().reshape(volumeShape(img.header())));
        NiftiWriter.write(output, img.header(), mask.reshape(img.data().shape()));
        return mask;
    }

    /**
     * Reads {@code file} as a 3-d NIfTI-1 volume (trailing sizes of 1, as in {@code [x, y, z, 1]},
     * are allowed), with errors that say what is wrong with the file.
     */
    public static NiftiImage readVolume(Path file) throws IOException {
        NiftiImage img;
        try {
            img = NiftiReader.read(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "input file not found");
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " as a NIfTI-1 volume (.nii or .nii.gz): " + e.getMessage(), e);
        }
        try {
            volumeShape(img.header());
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        int[] d = img.header().dims();
        if (d[0] < 2 || d[1] < 2) {
            throw new IOException(file + ": slices of " + d[0] + " x " + d[1] + " voxels are too small to segment");
        }
        return img;
    }

    /** {@code [z, y, x]} of a header whose dims are x, y, z followed only by sizes of 1. */
    static int[] volumeShape(NiftiHeader h) throws IOException {
        int[] d = h.dims();
        boolean ok = d.length >= 3;
        for (int i = 3; ok && i < d.length; i++) ok = d[i] == 1;
        if (!ok) {
            throw new IOException("expected a 3-d volume (x, y, z), but the NIfTI header has " + d.length + " dimension"
                    + (d.length == 1 ? "" : "s") + " of sizes " + Arrays.toString(d)
                    + (d.length > 3 ? " (a 4-d series must be split into 3-d volumes first)" : ""));
        }
        return new int[] {d[2], d[1], d[0]};
    }
}
