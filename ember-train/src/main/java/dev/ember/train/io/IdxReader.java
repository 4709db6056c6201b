package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads IDX files (the MNIST and Fashion-MNIST format), gzipped or raw: a 4-byte magic number
 * {@code 0x00 0x00 type ndims}, {@code ndims} big-endian int32 sizes, then the elements
 * big-endian in row-major order.
 *
 * <pre>{@code
 * Tensor images = IdxReader.readScaled(Path.of("train-images-idx3-ubyte.gz")); // f32 [60000, 28, 28] in [0, 1]
 * Tensor labels = IdxReader.readLabels(Path.of("train-labels-idx1-ubyte.gz")); // i64 [60000]
 * }</pre>
 */
public final class IdxReader {

    private IdxReader() {}

    /** The parsed header: element type code, sizes, and where the elements start. */
    public record Header(int typeCode, int[] dims, int dataOffset) {
        public Header {
            dims = dims.clone();
        }

        @Override
        public int[] dims() { return dims.clone(); }

        public long count() {
            long n = 1;
            for (int d : dims) n *= d;
            return n;
        }

        @Override
        public String toString() {
            return "IDX type 0x" + Integer.toHexString(typeCode) + " dims " + Arrays.toString(dims);
        }
    }

    /**
     * The elements in their own type: u8 and i8 as u8 and i8, int16 and int32 as i32, float32
     * as f32, float64 as f64.
     */
    public static Tensor read(Path file) throws IOException {
        byte[] data = FileBytes.read(file);
        Header h = parseHeader(file, data);
        int size = elementSize(h.typeCode());
        int n = Math.toIntExact(h.count());
        DType dt = switch (h.typeCode()) {
            case 0x08 -> DType.U8;
            case 0x09 -> DType.I8;
            case 0x0B, 0x0C -> DType.I32;
            case 0x0D -> DType.F32;
            default -> DType.F64;
        };
        Tensor t = Tensor.empty(dt, Device.CPU, h.dims());
        MemorySegment seg = t.segment();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        int o = h.dataOffset();
        switch (h.typeCode()) {
            case 0x08, 0x09 -> MemorySegment.copy(data, o, seg, ValueLayout.JAVA_BYTE, 0, n);
            case 0x0B -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_INT, i, b.getShort(o + 2 * i)); }
            case 0x0C -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_INT, i, b.getInt(o + 4 * i)); }
            case 0x0D -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, b.getFloat(o + 4 * i)); }
            default -> { for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, b.getDouble(o + size * i)); }
        }
        return t;
    }

    /** Unsigned-byte data (images) as f32 divided by 255, so values lie in [0, 1]. */
    public static Tensor readScaled(Path file) throws IOException {
        byte[] data = FileBytes.read(file);
        Header h = parseHeader(file, data);
        if (h.typeCode() != 0x08) {
            throw CorruptFileException.atOffset(file, 2, "readScaled expects unsigned bytes (type 0x08), found " + h);
        }
        int n = Math.toIntExact(h.count());
        Tensor t = Tensor.empty(DType.F32, Device.CPU, h.dims());
        MemorySegment seg = t.segment();
        int o = h.dataOffset();
        for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (data[o + i] & 0xFF) / 255f);
        return t;
    }

    /** Integer data (labels) as i64. */
    public static Tensor readLabels(Path file) throws IOException {
        Tensor raw = read(file);
        if (raw.dtype().isFloating()) {
            throw CorruptFileException.atOffset(file, 2, "labels must be integers, found " + raw.dtype() + " elements");
        }
        return raw.to(DType.I64);
    }

    /** Just the header (decompresses the whole file; checks the data length too). */
    public static Header header(Path file) throws IOException {
        return parseHeader(file, FileBytes.read(file));
    }

    static Header parseHeader(Path file, byte[] data) throws CorruptFileException {
        ByteCursor c = new ByteCursor(file, data, ByteOrder.BIG_ENDIAN);
        c.need(0, 4, "the IDX magic number");
        if (data[0] != 0 || data[1] != 0) {
            throw CorruptFileException.atOffset(file, 0, String.format(
                    "bad IDX magic number: expected 0x00 0x00 <type> <ndims>, found 0x%02x 0x%02x", data[0] & 0xFF, data[1] & 0xFF));
        }
        int type = data[2] & 0xFF;
        if (elementSize(type) < 0) {
            throw CorruptFileException.atOffset(file, 2, String.format(
                    "unknown IDX element type 0x%02x (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)", type));
        }
        int ndims = data[3] & 0xFF;
        if (ndims == 0) throw CorruptFileException.atOffset(file, 3, "IDX file declares 0 dimensions");
        int[] dims = new int[ndims];
        long count = 1;
        for (int d = 0; d < ndims; d++) {
            int off = 4 + 4 * d;
            dims[d] = c.i32(off, "size of dimension " + d);
            if (dims[d] < 0) throw CorruptFileException.atOffset(file, off, "negative size " + dims[d] + " of dimension " + d);
            count *= dims[d];
        }
        int start = 4 + 4 * ndims;
        long need = count * elementSize(type);
        if (need > Integer.MAX_VALUE) {
            throw CorruptFileException.atOffset(file, 4, "IDX sizes " + Arrays.toString(dims) + " are too large (" + need + " bytes)");
        }
        c.need(start, need, "the elements of an IDX array of sizes " + Arrays.toString(dims));
        if (start + need != data.length) {
            throw CorruptFileException.atOffset(file, start + need, (data.length - start - need)
                    + " unexpected bytes after the elements of an IDX array of sizes " + Arrays.toString(dims));
        }
        return new Header(type, dims, start);
    }

    private static int elementSize(int type) {
        return switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> -1;
        };
    }
}
