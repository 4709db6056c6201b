package dev.ember.train.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The 348-byte NIfTI-1 header, kept byte for byte in the file's own byte order so that every
 * field, including ones this class has no accessor for, survives a read and a write. Accessors
 * cover the fields that matter for training: sizes, voxel type, spacing, intensity scaling and
 * the qform/sform orientation.
 *
 * <pre>{@code
 * NiftiHeader h = NiftiReader.read(Path.of("ch2.nii.gz")).header();
 * int[] dims = h.dims();          // {181, 217, 181}: x, y, z sizes
 * float[] mm = h.pixdim();        // voxel sizes, pixdim[1..3]
 * }</pre>
 */
public final class NiftiHeader {

    /** Size of the header proper; single-file data starts at {@link #voxOffset()} (352 or more). */
    public static final int SIZE = 348;

    public static final short DT_UINT8 = 2, DT_INT16 = 4, DT_INT32 = 8, DT_FLOAT32 = 16, DT_FLOAT64 = 64,
            DT_INT8 = 256, DT_UINT16 = 512, DT_UINT32 = 768, DT_INT64 = 1024;

    private final byte[] bytes;
    private final ByteOrder order;

    NiftiHeader(byte[] bytes, ByteOrder order) {
        if (bytes.length != SIZE) throw new IllegalArgumentException("NiftiHeader: " + bytes.length + " bytes, expected " + SIZE);
        this.bytes = bytes.clone();
        this.order = order;
    }

    /**
     * A little-endian single-file header for a volume of {@code dims} (x first) with 1 mm voxels
     * and no orientation (qform and sform codes 0), for writing data that has no source image.
     */
    public static NiftiHeader basic(int... dims) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, SIZE);
        b.put(38, (byte) 'r');
        putDims(b, dims);
        b.putShort(70, DT_UINT8);
        b.putShort(72, (short) 8);
        for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, 1f);
        b.putFloat(108, 352f);
        b.putFloat(112, 1f);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1').put(347, (byte) 0);
        return new NiftiHeader(b.array(), ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer buf() { return ByteBuffer.wrap(bytes).order(order); }

    /** The header's bytes in its own byte order. */
    public byte[] bytes() { return bytes.clone(); }

    /** The file's byte order (found from {@code sizeof_hdr}). */
    public ByteOrder byteOrder() { return order; }

    /** {@code dim[1..dim[0]]}: sizes with x first. */
    public int[] dims() {
        ByteBuffer b = buf();
        int n = b.getShort(40);
        int[] d = new int[n];
        for (int i = 0; i < n; i++) d[i] = b.getShort(42 + 2 * i);
        return d;
    }

    public short datatype() { return buf().getShort(70); }
    public short bitpix() { return buf().getShort(72); }

    /** {@code pixdim[0..7]}: pixdim[0] is qfac (+1 or -1), pixdim[1..3] the voxel sizes. */
    public float[] pixdim() {
        ByteBuffer b = buf();
        float[] p = new float[8];
        for (int i = 0; i < 8; i++) p[i] = b.getFloat(76 + 4 * i);
        return p;
    }

    public float voxOffset() { return buf().getFloat(108); }
    public float sclSlope() { return buf().getFloat(112); }
    public float sclInter() { return buf().getFloat(116); }
    public byte xyztUnits() { return bytes[123]; }
    public short qformCode() { return buf().getShort(252); }
    public short sformCode() { return buf().getShort(254); }

    /** quatern_b, quatern_c, quatern_d, qoffset_x, qoffset_y, qoffset_z. */
    public float[] quaternion() {
        ByteBuffer b = buf();
        float[] q = new float[6];
        for (int i = 0; i < 6; i++) q[i] = b.getFloat(256 + 4 * i);
        return q;
    }

    /** The sform affine rows srow_x, srow_y, srow_z (voxel to world, 3 x 4). */
    public float[][] srow() {
        ByteBuffer b = buf();
        float[][] s = new float[3][4];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) s[r][c] = b.getFloat(280 + 16 * r + 4 * c);
        return s;
    }

    public String description() { return cString(148, 80); }

    /** The 4-byte magic: {@code n+1} for single files. */
    public String magic() { return cString(344, 4); }

    /**
     * A copy for data of {@code dims} (x first) stored as {@code datatype}, with data at 352, no
     * intensity scaling (slope 1, intercept 0) and no display range; geometry is unchanged.
     */
    NiftiHeader forData(int[] dims, short datatype, short bitpix) {
        ByteBuffer b = ByteBuffer.wrap(bytes.clone()).order(order);
        b.putInt(0, SIZE);
        putDims(b, dims);
        b.putShort(70, datatype);
        b.putShort(72, bitpix);
        b.putFloat(108, 352f);
        b.putFloat(112, 1f);
        b.putFloat(116, 0f);
        b.putFloat(124, 0f);
        b.putFloat(128, 0f);
        b.putInt(140, 0);
        b.putInt(144, 0);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1').put(347, (byte) 0);
        return new NiftiHeader(b.array(), order);
    }

    private static void putDims(ByteBuffer b, int[] dims) {
        if (dims.length < 1 || dims.length > 7) throw new IllegalArgumentException("NIfTI-1 holds 1 to 7 dimensions, got " + dims.length);
        b.putShort(40, (short) dims.length);
        for (int i = 0; i < 7; i++) {
            int d = i < dims.length ? dims[i] : 1;
            if (d < 1 || d > Short.MAX_VALUE) throw new IllegalArgumentException("NIfTI-1 dimension size " + d + " is outside [1, 32767]");
            b.putShort(42 + 2 * i, (short) d);
        }
    }

    private String cString(int off, int len) {
        int end = off;
        while (end < off + len && bytes[end] != 0) end++;
        return new String(bytes, off, end - off, StandardCharsets.ISO_8859_1);
    }
}
