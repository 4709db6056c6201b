package dev.ember.apps.segmentation;

import dev.ember.apps.recipes.DataLocator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** The shipped brain MRI and synthetic NIfTI files for tests. */
final class TestData {
    private TestData() {}

    static Path brainMri() {
        return DataLocator.find("brain-mri", null, BrainUNetRecipe.T1, BrainUNetRecipe.MASK);
    }

    /**
     * A little-endian single-file NIfTI-1 of uint8 voxels with sizes {@code dims} (x first),
     * anisotropic voxels, a qform (code 1) and an sform (code 2) that differ from the defaults.
     */
    static byte[] nifti(int[] dims, byte[] voxels) {
        ByteBuffer b = ByteBuffer.allocate(352 + voxels.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        b.putShort(40, (short) dims.length);
        for (int i = 0; i < 7; i++) b.putShort(42 + 2 * i, (short) (i < dims.length ? dims[i] : 1));
        b.putShort(70, (short) 2);
        b.putShort(72, (short) 8);
        float[] pixdim = {-1f, 1.25f, 0.9f, 2.5f, 1f, 1f, 1f, 1f};
        for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, pixdim[i]);
        b.putFloat(108, 352f);
        b.putFloat(112, 1f);
        b.put(123, (byte) 10); // mm and seconds
        b.putShort(252, (short) 1);
        b.putShort(254, (short) 2);
        float[] quatern = {0.1f, -0.2f, 0.05f, -90.5f, 126.25f, -72f};
        for (int i = 0; i < 6; i++) b.putFloat(256 + 4 * i, quatern[i]);
        float[][] srow = {{-1.25f, 0.01f, 0f, 90.5f}, {0f, 0.9f, 0.02f, -126.25f}, {0f, 0f, 2.5f, -72f}};
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) b.putFloat(280 + 16 * r + 4 * c, srow[r][c]);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        b.position(352);
        b.put(voxels);
        return b.array();
    }
}
