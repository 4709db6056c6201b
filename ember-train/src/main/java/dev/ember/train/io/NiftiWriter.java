package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a single-file NIfTI-1 volume ({@code .nii}, gzipped when the name ends in
 * {@code .gz}) with the geometry of another header: spacing, qform, sform, units and every
 * other field are copied; sizes, datatype and bitpix follow the tensor; the data starts at
 * byte 352 with no intensity scaling. The file keeps the source header's byte order.
 *
 * <p>The tensor is shaped {@code [z][y][x]} like {@link NiftiReader}'s output. u8 and bool
 * are written as uint8, i8 as int8, i32 as int32, i64 as int64, f32 as float32, f64 as
 * float64, f16/bf16 as float32.
 *
 * <pre>{@code
 * NiftiImage mri = NiftiReader.read(Path.of("ch2.nii.gz"));
 * Tensor mask = predict(mri).gt(0.5);                          // bool [z, y, x]
 * NiftiWriter.write(Path.of("mask.nii.gz"), mri.header(), mask);
 * }</pre>
 */
public final class NiftiWriter {

    private NiftiWriter() {}

    public static void write(Path file, NiftiHeader geometry, Tensor data) throws IOException {
        int rank = data.dim();
        if (rank < 1 || rank > 7) {
            throw new IllegalArgumentException("NiftiWriter: data of shape " + Arrays.toString(data.shape()) + " must have 1 to 7 dimensions");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = data.shape(rank - 1 - i);
        int[] src = geometry.dims();
        for (int i = 0; i < Math.min(3, Math.min(rank, src.length)); i++) {
            if (dims[i] != src[i]) {
                throw new IllegalArgumentException("NiftiWriter: data of shape " + Arrays.toString(data.shape()) + " (x, y, z sizes "
                        + Arrays.toString(dims) + ") does not match the geometry's sizes " + Arrays.toString(src));
            }
        }
        Tensor host;
        try (var g = GradMode.disable()) {
            DType as = switch (data.dtype()) {
                case BOOL -> DType.U8;
                case F16, BF16 -> DType.F32;
                default -> data.dtype();
            };
            host = data.detach().to(Device.CPU).to(as).contiguous();
        }
        short datatype = switch (host.dtype()) {
            case U8 -> NiftiHeader.DT_UINT8;
            case I8 -> NiftiHeader.DT_INT8;
            case I32 -> NiftiHeader.DT_INT32;
            case I64 -> NiftiHeader.DT_INT64;
            case F32 -> NiftiHeader.DT_FLOAT32;
            default -> NiftiHeader.DT_FLOAT64;
        };
        int es = host.dtype().byteSize();
        NiftiHeader h = geometry.forData(dims, datatype, (short) (es * 8));

        long bytes = host.numel() * es;
        byte[] payload = new byte[Math.toIntExact(bytes)];
        MemorySegment.copy(host.segment(), ValueLayout.JAVA_BYTE, host.offset() * es, payload, 0, payload.length);
        if (es > 1 && h.byteOrder() != ByteOrder.nativeOrder()) swap(payload, es);

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
             OutputStream out = FileBytes.gzipName(file) ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            out.write(h.bytes());
            out.write(new byte[4]); // no extensions
            out.write(payload);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void swap(byte[] b, int es) {
        for (int i = 0; i < b.length; i += es) {
            for (int lo = i, hi = i + es - 1; lo < hi; lo++, hi--) {
                byte t = b[lo];
                b[lo] = b[hi];
                b[hi] = t;
            }
        }
    }

}
