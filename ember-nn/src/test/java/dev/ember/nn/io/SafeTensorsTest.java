package dev.ember.nn.io;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.layers.BatchNorm2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static byte[] le(long v) { return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(); }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** A file as the Python library writes it: length, JSON padded with spaces, data. */
    private static byte[] file(String json, byte[] data) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        int padded = (j.length + 7) / 8 * 8;
        byte[] h = Arrays.copyOf(j, padded);
        Arrays.fill(h, j.length, padded, (byte) ' ');
        return concat(le(padded), h, data);
    }

    @Test
    void writesExactlyTheReferenceBytes() throws Exception {
        // the reference implementation's own test vectors (safetensors/src/tensor.rs)
        Path p = dir.resolve("a.safetensors");
        SafeTensors.save(Map.of("attn.0", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3)), p, null);
        byte[] expect = concat(le(64), "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}".getBytes(StandardCharsets.UTF_8),
                floatsLE(0, 1, 2, 3, 4, 5));
        assertArrayEquals(expect, Files.readAllBytes(p));

        SafeTensors.save(Map.of("attn0", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)), p, null);
        byte[] withPad = concat(le(72), "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ".getBytes(StandardCharsets.UTF_8),
                floatsLE(0, 1, 2, 3, 4, 5));
        assertArrayEquals(withPad, Files.readAllBytes(p));

        SafeTensors.save(Map.of(), p, null);
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, Files.readAllBytes(p));
        SafeTensors.save(Map.of(), p, Map.of("framework", "pt"));
        assertArrayEquals(concat(le(40), "{\"__metadata__\":{\"framework\":\"pt\"}}     ".getBytes(StandardCharsets.UTF_8)), Files.readAllBytes(p));
    }

    @Test
    void ordersTensorsByDTypeThenName() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("b", Tensor.zeros(DType.F32, Device.CPU, 1));
        m.put("flag", Tensor.zeros(DType.BOOL, Device.CPU, 1));
        m.put("a", Tensor.zeros(DType.F32, Device.CPU, 1));
        m.put("count", Tensor.zeros(DType.I64, Device.CPU));
        m.put("d", Tensor.zeros(DType.F64, Device.CPU, 1));
        m.put("h", Tensor.zeros(DType.F16, Device.CPU, 1));
        m.put("i", Tensor.zeros(DType.I32, Device.CPU, 1));
        String h = new String(SafeTensors.header(m, Map.of("format", "pt")), StandardCharsets.UTF_8).strip();
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"count\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[28,30]},"
                + "\"flag\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[30,31]}}", h);
        String escaped = new String(SafeTensors.header(Map.of("a\"b\n\u0001é", Tensor.zeros(1)), null), StandardCharsets.UTF_8);
        assertTrue(escaped.startsWith("{\"a\\\"b\\n\\u0001é\":"), escaped);
    }

    @Test
    void roundTripsEveryDType() throws Exception {
        Generator g = Generator.seeded(5);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (DType d : DType.values()) {
            Tensor t = d.isFloating() ? Tensor.randn(g, 3, 4).to(d) : d == DType.BOOL ? Tensor.randn(g, 3, 4).gt(0)
                    : Tensor.randint(g, -100, 100, 3, 4).to(d == DType.U8 ? DType.I64 : d);
            if (d == DType.U8) t = Tensor.randint(g, 0, 255, 3, 4).to(DType.U8);
            m.put("t_" + d.shortName(), t);
        }
        m.put("scalar", Tensor.scalar(3.5));
        m.put("empty", Tensor.zeros(0, 5));
        m.put("strided", Tensor.randn(g, 4, 3).t());
        Path p = dir.resolve("all.safetensors");
        SafeTensors.save(m, p, Map.of("format", "pt", "note", "round trip"));
        SafeTensors.Contents c = SafeTensors.read(p);
        assertEquals(Map.of("format", "pt", "note", "round trip"), c.metadata());
        assertEquals(m.keySet(), c.tensors().keySet());
        for (var e : m.entrySet()) {
            Tensor back = c.tensors().get(e.getKey());
            assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
            assertArrayEquals(e.getValue().toByteArray(), back.toByteArray(), e.getKey());
        }
        // loaded tensors are usable and writable without touching the file
        byte[] before = Files.readAllBytes(p);
        Tensor f = c.tensors().get("t_f32");
        f.add_(1);
        assertArrayEquals(before, Files.readAllBytes(p));
        assertTrue(f.storage().isKept(), "zero-copy: wrapped, not allocated");
    }

    @Test
    void handBuiltFileLoadsIntoModule() throws Exception {
        // an nn.Sequential(nn.Linear(2, 1)) saved by safetensors.torch.save_file(model.state_dict(), ...)
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[4,12]}}";
        Path p = dir.resolve("linear.safetensors");
        Files.write(p, file(json, floatsLE(0.5f, 2, -3)));
        Sequential model = new Sequential(new Linear(2, 1));
        SafeTensors.loadModule(model, p, true);
        assertClose(new double[] {2 * 1 - 3 * 2 + 0.5}, model.forward(Tensor.of(new float[] {1, 2}, 1, 2)), 1e-6);

        // and what we write for a module reads back into a fresh one
        Sequential conv = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
        conv.forward(Tensor.randn(Generator.seeded(1), 2, 1, 5, 5));
        Path q = dir.resolve("conv.safetensors");
        SafeTensors.saveModule(conv, q);
        Sequential fresh = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
        SafeTensors.loadModule(fresh, q, true);
        for (var e : conv.stateDict().entrySet()) assertArrayEquals(e.getValue().toByteArray(), fresh.stateDict().get(e.getKey()).toByteArray());

        var err = assertThrows(IllegalArgumentException.class, () -> SafeTensors.loadModule(new Sequential(new Linear(3, 1)), p, true));
        assertTrue(err.getMessage().contains(p.toString()) && err.getMessage().contains("0.weight: file has shape [1, 2], model has [1, 3]"),
                err.getMessage());
    }

    @Test
    void misalignedDataIsCopied() throws Exception {
        // a writer that does not sort by alignment: the f32 tensor starts at data offset 1
        String json = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]}}";
        Path p = dir.resolve("mis.safetensors");
        Files.write(p, file(json, concat(new byte[] {7}, floatsLE(1.5f, -2))));
        Map<String, Tensor> m = SafeTensors.load(p);
        assertClose(new double[] {1.5, -2}, m.get("b"), 0);
        assertEquals(7, (long) m.get("a").item());
    }

    private String failure(byte[] bytes) throws Exception {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bytes);
        var e = assertThrows(SafeTensors.FormatException.class, () -> SafeTensors.load(p));
        assertTrue(e.getMessage().startsWith(p + ": at byte " + e.offset() + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void corruptFilesNameFileOffsetAndProblem() throws Exception {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] good = file(ok, floatsLE(1, 2));
        assertTrue(failure(Arrays.copyOf(good, 5)).contains("at byte 0: file has 5 bytes"));
        byte[] huge = good.clone();
        System.arraycopy(le(4000), 0, huge, 0, 8);
        assertTrue(failure(huge).contains("at byte 0: header length 4000 runs past the end"));
        // truncated data section
        String trunc = failure(Arrays.copyOf(good, good.length - 3));
        assertTrue(trunc.contains("tensor 'w'") && trunc.contains("truncated"), trunc);
        int dataStart = good.length - 8;
        assertTrue(trunc.contains("at byte " + dataStart + ":"), trunc);
        // not JSON
        String bad = failure(file("{\"w\":{\"dtype\":\"F32\",", floatsLE(1, 2)));
        assertTrue(bad.contains("invalid header JSON"), bad);
        // invalid UTF-8 at header byte 3 = file byte 11
        byte[] utf = good.clone();
        utf[11] = (byte) 0xC3;
        utf[12] = (byte) 0x28;
        assertTrue(failure(utf).contains("at byte 11: the header is not valid UTF-8"));
        // unknown and unsupported dtypes, entry at header offset 1 = file byte 9
        assertTrue(failure(file(ok.replace("F32", "F33"), floatsLE(1, 2))).contains("at byte 9: tensor 'w': unknown dtype 'F33'"));
        assertTrue(failure(file(ok.replace("F32", "U32"), floatsLE(1, 2))).contains("dtype U32 is not supported"));
        // size disagrees with shape
        assertTrue(failure(file(ok.replace("[2]", "[3]"), floatsLE(1, 2))).contains("span 8 bytes but shape [3] of F32 needs 12"));
        assertTrue(failure(file(ok.replace("[2]", "[-2]"), floatsLE(1, 2))).contains("invalid dimension -2"));
        assertTrue(failure(file(ok.replace("[0,8]", "[8,0]"), floatsLE(1, 2))).contains("not 0 <= begin <= end"));
        // overlapping tensors
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(failure(file(two, floatsLE(1, 2))).contains("overlap those of 'a'"));
        // duplicate names, trailing junk, metadata of the wrong type
        String entry = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertTrue(failure(file("{\"w\":" + entry + ",\"w\":" + entry + "}", floatsLE(1, 2))).contains("Duplicate field 'w'"));
        assertTrue(failure(file(ok + "x", floatsLE(1, 2))).contains("invalid header JSON"));
        assertTrue(failure(file("{\"__metadata__\":{\"a\":1}}", new byte[0])).contains("__metadata__ value of 'a' must be a string"));
        assertTrue(failure(file("[1]", new byte[0])).contains("not a JSON object"));
    }

    @Test
    void saveIsAtomicAndLeavesNoTemporaryFiles() throws Exception {
        Path p = dir.resolve("m.safetensors");
        SafeTensors.save(Map.of("x", Tensor.ones(2)), p, null);
        SafeTensors.save(Map.of("x", Tensor.zeros(3)), p, null);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
        assertClose(new double[] {0, 0, 0}, SafeTensors.load(p).get("x"), 0);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(Map.of("__metadata__", Tensor.ones(1)), p, null));
    }
}
