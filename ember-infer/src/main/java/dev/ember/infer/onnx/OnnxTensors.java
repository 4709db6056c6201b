package dev.ember.infer.onnx;

import com.google.protobuf.ByteString;
import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.infer.onnx.proto.Onnx.TensorProto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Conversions between Ember tensors and ONNX {@code TensorProto}s. Values travel as
 * {@code raw_data}: the elements in row-major order, little-endian, bit for bit.
 *
 * <pre>{@code
 * TensorProto p = OnnxTensors.toProto("fc.weight", linear.weight().data());
 * Tensor back = OnnxTensors.fromProto(p);   // same shape, dtype and bits
 * }</pre>
 */
public final class OnnxTensors {

    private OnnxTensors() {}

    /** The ONNX element type ({@code TensorProto.DataType} number) of an Ember dtype. */
    public static int elemType(DType d) {
        return switch (d) {
            case F32 -> TensorProto.DataType.FLOAT_VALUE;
            case F64 -> TensorProto.DataType.DOUBLE_VALUE;
            case F16 -> TensorProto.DataType.FLOAT16_VALUE;
            case BF16 -> TensorProto.DataType.BFLOAT16_VALUE;
            case I8 -> TensorProto.DataType.INT8_VALUE;
            case U8 -> TensorProto.DataType.UINT8_VALUE;
            case I32 -> TensorProto.DataType.INT32_VALUE;
            case I64 -> TensorProto.DataType.INT64_VALUE;
            case BOOL -> TensorProto.DataType.BOOL_VALUE;
        };
    }

    /** The Ember dtype of an ONNX element type; an error naming the type when Ember has none. */
    public static DType dtype(int elemType) {
        for (DType d : DType.values()) if (elemType(d) == elemType) return d;
        TensorProto.DataType t = TensorProto.DataType.forNumber(elemType);
        throw new IllegalArgumentException("ONNX: element type " + (t == null ? elemType : t) + " has no Ember dtype");
    }

    /** {@code t} (any device, any strides) as a named initializer. */
    public static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(elemType(t.dtype()));
        for (int d : t.shape()) b.addDims(d);
        byte[] raw = t.toByteArray();
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) raw = swap(raw, t.dtype().byteSize());
        return b.setRawData(ByteString.copyFrom(raw)).build();
    }

    /**
     * A CPU tensor holding the values of {@code p}, from {@code raw_data} or from the typed
     * fields ({@code float_data}, {@code int64_data}, ...) as the ONNX format allows.
     */
    public static Tensor fromProto(TensorProto p) {
        DType d = dtype(p.getDataType());
        int[] shape = new int[p.getDimsCount()];
        for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(p.getDims(i));
        long n = 1;
        for (int s : shape) n *= s;
        if (p.hasRawData()) {
            byte[] raw = p.getRawData().toByteArray();
            if (raw.length != n * d.byteSize()) {
                throw new IllegalArgumentException("ONNX tensor '" + p.getName() + "' of shape " + Arrays.toString(shape) + " (" + d
                        + ") has " + raw.length + " bytes of raw data, expected " + n * d.byteSize());
            }
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) raw = swap(raw, d.byteSize());
            MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, raw.length), 64);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, 0, raw.length);
            return Tensor.wrap(seg, d, shape).copy();
        }
        return switch (d) {
            case F32 -> Tensor.of(toFloats(p), shape);
            case F64 -> Tensor.of(p.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray(), shape);
            case I64 -> Tensor.of(p.getInt64DataList().stream().mapToLong(Long::longValue).toArray(), shape);
            case I32 -> Tensor.of(p.getInt32DataList().stream().mapToInt(Integer::intValue).toArray(), shape);
            default -> throw new IllegalArgumentException("ONNX tensor '" + p.getName() + "' of " + d + " without raw_data is not supported");
        };
    }

    private static float[] toFloats(TensorProto p) {
        float[] f = new float[p.getFloatDataCount()];
        for (int i = 0; i < f.length; i++) f[i] = p.getFloatData(i);
        return f;
    }

    private static byte[] swap(byte[] raw, int width) {
        byte[] r = raw.clone();
        for (int i = 0; i < r.length; i += width) {
            for (int k = 0; k < width; k++) r[i + k] = raw[i + width - 1 - k];
        }
        return r;
    }

    /** The float values of a FLOAT tensor, from {@code raw_data} or {@code float_data}. */
    public static float[] floats(TensorProto p) {
        if (p.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("ONNX tensor '" + p.getName() + "' is not FLOAT but " + TensorProto.DataType.forNumber(p.getDataType()));
        }
        if (!p.hasRawData()) return toFloats(p);
        return MemorySegment.ofArray(p.getRawData().toByteArray()).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    /** The integer values of an INT64 tensor, from {@code raw_data} or {@code int64_data}. */
    public static long[] longs(TensorProto p) {
        if (p.getDataType() != TensorProto.DataType.INT64_VALUE) {
            throw new IllegalArgumentException("ONNX tensor '" + p.getName() + "' is not INT64 but " + TensorProto.DataType.forNumber(p.getDataType()));
        }
        if (!p.hasRawData()) return p.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        return MemorySegment.ofArray(p.getRawData().toByteArray()).toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }
}
