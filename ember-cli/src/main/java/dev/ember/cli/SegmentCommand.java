package dev.ember.cli;

import dev.ember.apps.segmentation.MaskScores;
import dev.ember.apps.segmentation.Segmenter;
import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.train.io.NiftiImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ember segment --model DIR --input scan.nii.gz --out mask.nii.gz}: segments a whole
 * volume slice by slice with a model trained by {@code ember train brain-unet} and writes the
 * mask (uint8, 1 = brain) as NIfTI-1 with the input's dimensions, voxel size and orientation.
 * With {@code --truth}, also prints the Dice of the whole volume against a reference mask.
 */
@Command(name = "segment", description = "Segment a whole NIfTI volume slice by slice with a model from `ember train brain-unet`; "
        + "writes a NIfTI mask with the input's geometry.")
final class SegmentCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the trained model's folder (model.json + model.safetensors)")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "the scan, NIfTI-1 (.nii or .nii.gz), 3-d")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the mask to write (.nii.gz to compress)")
    Path out;

    @Option(names = "--truth", paramLabel = "FILE", description = "a reference mask (non-zero = brain) to report the volume's Dice against")
    Path truth;

    @Option(names = "--device", description = "cpu, cuda or cuda:N (default: the best available)")
    String device;

    @Override
    public Integer call() throws Exception {
        run(model, input, out, truth, device == null ? Device.best() : Device.parse(device), System.out);
        return 0;
    }

    /** Segments {@code input} into {@code output}; returns the Dice against {@code truth}, or NaN without one. */
    static double run(Path modelDir, Path input, Path output, Path truth, Device device, PrintStream log) throws Exception {
        long t0 = System.nanoTime();
        device.backend();
        Segmenter seg = Segmenter.load(modelDir, device);
        NiftiImage ref = truth == null ? null : Segmenter.readVolume(truth);
        Tensor mask = seg.segmentFile(input, output);
        int[] shape = mask.shape();
        long voxels = mask.to(DType.I64).sum().toLongArray()[0];
        log.printf(Locale.ROOT, "segmented %s (%d x %d x %d voxels) on %s in %.1f s: %d brain voxels; wrote %s%n", input,
                shape[2], shape[1], shape[0], device, (System.nanoTime() - t0) / 1e9, voxels, output);
        if (ref == null) return Double.NaN;
        int[] refDims = ref.header().dims();
        int[] dims = {shape[2], shape[1], shape[0]};
        if (!Arrays.equals(Arrays.copyOf(refDims, 3), dims)) {
            throw new IllegalArgumentException("--truth " + truth + " has sizes " + Arrays.toString(refDims) + " but the input has "
                    + Arrays.toString(dims));
        }
        MaskScores scores = new MaskScores();
        byte[] p = mask.contiguous().toByteArray();
        byte[] t = ref.data().reshape(shape).ne(0).to(DType.U8).contiguous().toByteArray();
        int plane = shape[1] * shape[2];
        for (int z = 0; z < shape[0]; z++) {
            scores.add(z, Arrays.copyOfRange(p, z * plane, (z + 1) * plane), Arrays.copyOfRange(t, z * plane, (z + 1) * plane));
        }
        log.printf(Locale.ROOT, "whole-volume Dice against %s: %.4f (IoU %.4f)%n", truth, scores.dice(), scores.iou());
        return scores.dice();
    }
}
