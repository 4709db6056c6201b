package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Tensor;

/**
 * A NIfTI-1 volume: its header and its voxels. The tensor's shape is the header's sizes in
 * reverse, {@code [z][y][x]} for a 3-d volume ({@code [t][z][y][x]} for 4-d), because NIfTI
 * stores x fastest; so {@code data().select(0, k)} is axial slice k and no copy is needed.
 *
 * <pre>{@code
 * NiftiImage img = NiftiReader.read(Path.of("ch2.nii.gz"));
 * Tensor slice = img.data().select(0, 90);   // [217, 181]: y by x
 * }</pre>
 */
public record NiftiImage(NiftiHeader header, Tensor data) {

    /**
     * The voxels as f32 with the header's intensity scaling {@code slope * v + inter} applied
     * (NIfTI-1 says a slope of 0 means no scaling).
     */
    public Tensor scaled() {
        float slope = header.sclSlope(), inter = header.sclInter();
        Tensor f = data.to(DType.F32);
        if (slope == 0 || !Float.isFinite(slope) || (slope == 1 && inter == 0)) return f;
        return f.mul(slope).add(Float.isFinite(inter) ? inter : 0);
    }
}
