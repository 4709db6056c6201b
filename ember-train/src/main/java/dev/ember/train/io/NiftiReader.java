package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads single-file NIfTI-1 volumes ({@code .nii}, or {@code .nii.gz}: gzip is detected from
 * the content). The byte order comes from {@code sizeof_hdr} (348 read either way round). The
 * voxels keep their type where Ember has one (uint8 to u8, int8 to i8, int32 to i32, float32
 * to f32, float64 to f64) and are widened otherwise (int16 and uint16 to i32, uint32 to i64);
 * the tensor is shaped {@code [z][y][x]} (see {@link NiftiImage}).
 *
 * <pre>{@code
 * NiftiImage mri = NiftiReader.read(Path.of("ch2.nii.gz"));   // u8 [181, 217, 181]
 * }</pre>
 */
public final class NiftiReader {

    private NiftiReader() {}

    public static NiftiImage read(Path file) throws IOException {
        byte[] all = FileBytes.read(file);
        NiftiHeader h = header(file, all);
        int[] dims = h.dims();
        long count = 1;
        for (int d : dims) count *= d;
        int size = elementSize(h.datatype());
        long start = (long) h.voxOffset();
        long need = count * size;
        ByteCursor c = new ByteCursor(file, all, h.byteOrder());
        c.need(start, need, "the voxel data (" + count + " voxels of datatype " + h.datatype() + ", sizes " + Arrays.toString(dims) + ")");
        if (need > Integer.MAX_VALUE) throw CorruptFileException.atOffset(file, start, "volume of " + need + " bytes is too large");
        int n = (int) count;
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[dims.length - 1 - i];
        DType dt = switch (h.datatype()) {
            case NiftiHeader.DT_UINT8 -> DType.U8;
            case NiftiHeader.DT_INT8 -> DType.I8;
            case NiftiHeader.DT_INT16, NiftiHeader.DT_UINT16, NiftiHeader.DT_INT32 -> DType.I32;
            case NiftiHeader.DT_FLOAT32 -> DType.F32;
            case NiftiHeader.DT_FLOAT64 -> DType.F64;
            default -> DType.I64;
        };
        Tensor t = Tensor.empty(dt, Device.CPU, shape);
        MemorySegment seg = t.segment();
        ByteBuffer b = ByteBuffer.wrap(all).order(h.byteOrder());
        int o = (int) start;
        switch (h.datatype()) {
            case NiftiHeader.DT_UINT8, NiftiHeader.DT_INT8 -> MemorySegment.copy(all, o, seg, ValueLayout.JAVA_BYTE, 0, n);
            case NiftiHeader.DT_INT16 -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_INT, i, b.getShort(o + 2 * i)); }
            case NiftiHeader.DT_UINT16 -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_INT, i, b.getShort(o + 2 * i) & 0xFFFF); }
            case NiftiHeader.DT_INT32 -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_INT, i, b.getInt(o + 4 * i)); }
            case NiftiHeader.DT_UINT32 -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_LONG, i, b.getInt(o + 4 * i) & 0xFFFFFFFFL); }
            case NiftiHeader.DT_FLOAT32 -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, b.getFloat(o + 4 * i)); }
            case NiftiHeader.DT_FLOAT64 -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, b.getDouble(o + 8 * i)); }
            default -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_LONG, i, b.getLong(o + 8 * i)); }
        }
        return new NiftiImage(h, t);
    }

    /** Just the header, validated (decompresses the file). */
    public static NiftiHeader readHeader(Path file) throws IOException {
        return header(file, FileBytes.read(file));
    }

    static NiftiHeader header(Path file, byte[] all) throws CorruptFileException {
        ByteCursor le = new ByteCursor(file, all, ByteOrder.LITTLE_ENDIAN);
        int sizeLe = le.i32(0, "sizeof_hdr");
        ByteOrder order;
        if (sizeLe == NiftiHeader.SIZE) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(sizeLe) == NiftiHeader.SIZE) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (sizeLe == 540 || Integer.reverseBytes(sizeLe) == 540) {
            throw CorruptFileException.atOffset(file, 0, "this is a NIfTI-2 file (sizeof_hdr 540); only NIfTI-1 is supported");
        } else {
            throw CorruptFileException.atOffset(file, 0, "not a NIfTI-1 file: sizeof_hdr is " + sizeLe + " (little-endian) or "
                    + Integer.reverseBytes(sizeLe) + " (big-endian), expected 348");
        }
        le.need(0, NiftiHeader.SIZE, "the NIfTI-1 header");
        NiftiHeader h = new NiftiHeader(Arrays.copyOf(all, NiftiHeader.SIZE), order);
        String magic = h.magic();
        if (magic.equals("ni1")) {
            throw CorruptFileException.atOffset(file, 344, "magic 'ni1' marks a .hdr/.img pair; only single-file .nii (magic 'n+1') is supported");
        }
        if (!magic.equals("n+1")) {
            throw CorruptFileException.atOffset(file, 344, "bad NIfTI-1 magic '" + printable(magic) + "', expected 'n+1'");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(order);
        int rank = b.getShort(40);
        if (rank < 1 || rank > 7) throw CorruptFileException.atOffset(file, 40, "dim[0] is " + rank + ", expected 1 to 7");
        for (int i = 1; i <= rank; i++) {
            int d = b.getShort(40 + 2 * i);
            if (d < 1) throw CorruptFileException.atOffset(file, 40 + 2 * i, "dim[" + i + "] is " + d + ", expected a positive size");
        }
        int size = elementSize(h.datatype());
        if (size < 0) {
            throw CorruptFileException.atOffset(file, 70, "unsupported datatype " + h.datatype()
                    + " (supported: uint8 2, int16 4, int32 8, float32 16, float64 64, int8 256, uint16 512, uint32 768, int64 1024)");
        }
        if (h.bitpix() != size * 8) {
            throw CorruptFileException.atOffset(file, 72, "bitpix " + h.bitpix() + " does not match datatype " + h.datatype()
                    + " (" + size * 8 + " bits)");
        }
        float vox = h.voxOffset();
        if (!(vox >= 352) || vox != Math.rint(vox)) {
            throw CorruptFileException.atOffset(file, 108, "vox_offset " + vox + " must be a whole number >= 352 in a single-file NIfTI");
        }
        return h;
    }

    static int elementSize(short datatype) {
        return switch (datatype) {
            case NiftiHeader.DT_UINT8, NiftiHeader.DT_INT8 -> 1;
            case NiftiHeader.DT_INT16, NiftiHeader.DT_UINT16 -> 2;
            case NiftiHeader.DT_INT32, NiftiHeader.DT_FLOAT32, NiftiHeader.DT_UINT32 -> 4;
            case NiftiHeader.DT_FLOAT64, NiftiHeader.DT_INT64 -> 8;
            default -> -1;
        };
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) sb.append(ch >= 32 && ch < 127 ? String.valueOf(ch) : String.format("\\x%02x", (int) ch));
        return sb.toString();
    }
}
