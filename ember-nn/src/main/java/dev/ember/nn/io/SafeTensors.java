package dev.ember.nn.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.nn.Module;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}} plus an
 * optional {@code "__metadata__"} map of strings), then the raw little-endian tensor bytes, with
 * offsets relative to the end of the header.
 *
 * <p>Loading memory-maps the file and wraps each tensor in place (no copy) when its data is
 * aligned for its dtype; the mapping is private (copy-on-write), so changing a loaded tensor
 * never changes the file (files the process may not write are mapped read-only, and their
 * tensors cannot be changed in place), and it is unmapped once no tensor refers to it. Every field is
 * validated; a malformed file gives a {@link FormatException} naming the file, the byte offset
 * and the problem.
 *
 * <p>Saving writes byte for byte what Python's {@code safetensors} library writes: tensors
 * ordered by dtype (in the library's order, widest first) then by name, compact JSON, the
 * {@code __metadata__} entry first, and the header padded with spaces to a multiple of 8.
 *
 * <pre>{@code
 * SafeTensors.saveModule(model, Path.of("model.safetensors"));
 * Map<String, Tensor> weights = SafeTensors.load(Path.of("model.safetensors"));
 * SafeTensors.loadModule(other, Path.of("model.safetensors"), true);
 * }</pre>
 */
public final class SafeTensors {

    private SafeTensors() {}

    /** The reference implementation refuses headers above this size; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** A malformed safetensors file; the message names the file, the byte offset and the problem. */
    public static final class FormatException extends IOException {
        private final Path file;
        private final long offset;

        FormatException(Path file, long offset, String problem) {
            super(file + ": at byte " + offset + ": " + problem);
            this.file = file;
            this.offset = offset;
        }

        public Path file() { return file; }

        /** The byte offset in the file where the problem was found. */
        public long offset() { return offset; }
    }

    /** The tensors of a file and its {@code __metadata__} (empty when absent). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    // ---------------------------------------------------------------- dtypes

    /** Our dtype as the format names it. */
    static String formatName(DType d) {
        return switch (d) {
            case F32 -> "F32";
            case F64 -> "F64";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case I8 -> "I8";
            case U8 -> "U8";
            case I32 -> "I32";
            case I64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    /**
     * The position of a dtype in the reference implementation's {@code Dtype} enum (BOOL, U8, I8,
     * F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64); it writes tensors in
     * descending order of this position.
     */
    static int formatRank(DType d) {
        return switch (d) {
            case BOOL -> 0;
            case U8 -> 1;
            case I8 -> 2;
            case F16 -> 7;
            case BF16 -> 8;
            case I32 -> 9;
            case F32 -> 11;
            case F64 -> 12;
            case I64 -> 13;
        };
    }

    private static final List<String> KNOWN_UNSUPPORTED = List.of("F8_E5M2", "F8_E4M3", "I16", "U16", "U32", "U64");

    private static DType parseDType(String s) {
        for (DType d : DType.values()) if (formatName(d).equals(s)) return d;
        return null;
    }

    // ---------------------------------------------------------------- loading

    /**
     * The tensors of a safetensors file, by name, in file order; CPU tensors backed by the
     * memory-mapped file where alignment allows.
     * <pre>{@code Map<String, Tensor> w = SafeTensors.load(Path.of("resnet18.safetensors"));}</pre>
     */
    public static Map<String, Tensor> load(Path file) throws IOException { return read(file).tensors(); }

    /**
     * The tensors and the {@code __metadata__} of a safetensors file.
     * <pre>{@code String fmt = SafeTensors.read(path).metadata().get("format");   // "pt"}</pre>
     */
    public static Contents read(Path file) throws IOException {
        MemorySegment seg;
        long size;
        // a private (copy-on-write) mapping needs a writable channel; read-only files get a read-only mapping
        boolean writable = Files.isWritable(file);
        var options = writable ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                : new StandardOpenOption[] {StandardOpenOption.READ};
        try (FileChannel ch = FileChannel.open(file, options)) {
            size = ch.size();
            if (size < 8) throw new FormatException(file, 0, "file has " + size + " bytes, fewer than the 8-byte header length");
            // an automatic arena: the mapping lives exactly as long as some tensor references it
            seg = ch.map(writable ? FileChannel.MapMode.PRIVATE : FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
        }
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new FormatException(file, 0, "header length " + Long.toUnsignedString(n) + " is larger than the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw new FormatException(file, 0, "header length " + n + " runs past the end of the file (" + size
                    + " bytes; the header would end at byte " + (8 + n) + "); the file is truncated or not safetensors");
        }
        byte[] header = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        checkUtf8(file, header);
        long dataStart = 8 + n, dataSize = size - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        parseHeader(file, header, metadata, entries);

        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        long prevEnd = 0;
        String prevName = null;
        for (Entry e : byOffset) {
            if (e.begin() < prevEnd) {
                throw new FormatException(file, e.headerOffset(), "tensor '" + e.name() + "': data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap those of '" + prevName + "', which end at " + prevEnd);
            }
            if (e.end() > dataSize) {
                throw new FormatException(file, dataStart + e.begin(), "tensor '" + e.name() + "': data_offsets [" + e.begin() + ", " + e.end()
                        + "] end at file byte " + (dataStart + e.end()) + ", past the end of the file (" + size
                        + " bytes; data section of " + dataSize + "); the file is truncated");
            }
            prevEnd = e.end();
            prevName = e.name();
        }

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : byOffset) {
            MemorySegment slice = seg.asSlice(dataStart + e.begin(), e.end() - e.begin());
            tensors.put(e.name(), wrapOrCopy(slice, e.dtype(), e.shape()));
        }
        return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private record Entry(String name, DType dtype, int[] shape, long begin, long end, long headerOffset) {}

    private static Tensor wrapOrCopy(MemorySegment slice, DType dtype, int[] shape) {
        if (slice.address() % dtype.byteSize() == 0) return Tensor.wrap(slice, dtype, shape);
        // writers that do not sort by alignment (older versions, other tools) can misalign data
        Tensor t = Tensor.empty(dtype, Device.CPU, shape);
        MemorySegment.copy(slice, 0, t.segment(), t.offset() * dtype.byteSize(), slice.byteSize());
        return t;
    }

    private static void checkUtf8(Path file, byte[] header) throws FormatException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        CharBuffer out = CharBuffer.allocate(header.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) throw new FormatException(file, 8 + in.position(), "the header is not valid UTF-8");
    }

    private static void parseHeader(Path file, byte[] header, Map<String, String> metadata, List<Entry> entries) throws IOException {
        try (JsonParser p = JSON.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, 8 + p.currentTokenLocation().getByteOffset(), "the header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                long at = 8 + p.currentTokenLocation().getByteOffset();
                p.nextToken();
                JsonNode v = MAPPER.readTree(p);
                if (name.equals(METADATA_KEY)) {
                    if (!v.isObject()) throw new FormatException(file, at, "__metadata__ must be an object of strings, got " + v.getNodeType());
                    for (var f : v.properties()) {
                        if (!f.getValue().isTextual()) {
                            throw new FormatException(file, at, "__metadata__ value of '" + f.getKey() + "' must be a string, got " + f.getValue());
                        }
                        metadata.put(f.getKey(), f.getValue().textValue());
                    }
                } else {
                    entries.add(entry(file, name, v, at));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new FormatException(file, 8 + p.currentTokenLocation().getByteOffset(), "malformed header JSON");
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new FormatException(file, 8 + p.currentTokenLocation().getByteOffset(),
                        "unexpected " + after + " after the header's JSON object (only space padding may follow)");
            }
        } catch (FormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            long off = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getByteOffset());
            throw new FormatException(file, 8 + off, "invalid header JSON: " + e.getOriginalMessage());
        }
    }

    private static Entry entry(Path file, String name, JsonNode v, long at) throws FormatException {
        String what = "tensor '" + name + "': ";
        if (!v.isObject()) throw new FormatException(file, at, what + "expected an object with dtype, shape and data_offsets, got " + v.getNodeType());
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || sh == null || off == null) {
            throw new FormatException(file, at, what + "missing " + (dt == null ? "dtype" : sh == null ? "shape" : "data_offsets"));
        }
        if (!dt.isTextual()) throw new FormatException(file, at, what + "dtype must be a string, got " + dt);
        DType dtype = parseDType(dt.textValue());
        if (dtype == null) {
            throw new FormatException(file, at, what + (KNOWN_UNSUPPORTED.contains(dt.textValue())
                    ? "dtype " + dt.textValue() + " is not supported by Ember"
                    : "unknown dtype '" + dt.textValue() + "'") + "; expected one of F32, F64, F16, BF16, I8, U8, I32, I64, BOOL");
        }
        if (!sh.isArray()) throw new FormatException(file, at, what + "shape must be an array of integers, got " + sh);
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0 || d.longValue() > Integer.MAX_VALUE) {
                throw new FormatException(file, at, what + "shape " + sh + " has an invalid dimension " + d
                        + " (must be an integer in 0.." + Integer.MAX_VALUE + ")");
            }
            shape[i] = (int) d.longValue();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException ex) {
                throw new FormatException(file, at, what + "shape " + sh + " has too many elements");
            }
        }
        if (!off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new FormatException(file, at, what + "data_offsets must be [begin, end], got " + off);
        }
        long begin = off.get(0).longValue(), end = off.get(1).longValue();
        if (begin < 0 || end < begin) throw new FormatException(file, at, what + "data_offsets [" + begin + ", " + end + "] are not 0 <= begin <= end");
        long nbytes;
        try {
            nbytes = Math.multiplyExact(numel, dtype.byteSize());
        } catch (ArithmeticException ex) {
            throw new FormatException(file, at, what + "shape " + sh + " is too large");
        }
        if (end - begin != nbytes) {
            throw new FormatException(file, at, what + "data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dt.textValue() + " needs " + nbytes);
        }
        return new Entry(name, dtype, shape, begin, end, at);
    }

    // ---------------------------------------------------------------- saving

    /**
     * Writes {@code tensors} (any device, layout or grad state) with optional string
     * {@code metadata} (null for none; written in key order), atomically: to a temporary file
     * in the same directory, then moved over {@code file}.
     * <pre>{@code SafeTensors.save(Map.of("w", w), Path.of("w.safetensors"), Map.of("format", "pt"));}</pre>
     */
    public static void save(Map<String, Tensor> tensors, Path file, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        List<String> order = order(tensors);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (String name : order) {
                    Tensor c;
                    try (var off = GradMode.disable()) {
                        c = tensors.get(name).detach().to(Device.CPU).contiguous();
                    }
                    long bs = c.dtype().byteSize(), nbytes = c.numel() * bs;
                    if (nbytes > 0) writeFully(ch, c.segment().asSlice(c.offset() * bs, nbytes).asByteBuffer());
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Byte order of UTF-8, as the reference implementation compares names. */
    private static final Comparator<String> UTF8_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static List<String> order(Map<String, Tensor> tensors) {
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort(Comparator.<String>comparingInt(n -> -formatRank(tensors.get(n).dtype())).thenComparing(UTF8_ORDER));
        return names;
    }

    /** The padded header JSON, exactly as the reference implementation serialises it. */
    static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        for (String name : tensors.keySet()) {
            if (name == null || name.equals(METADATA_KEY)) throw new IllegalArgumentException("safetensors: invalid tensor name " + name);
            if (tensors.get(name) == null) throw new IllegalArgumentException("safetensors: tensor '" + name + "' is null");
        }
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (metadata != null) {
            TreeMap<String, String> sorted = new TreeMap<>(UTF8_ORDER);
            sorted.putAll(metadata);
            sb.append('"').append(METADATA_KEY).append("\":{");
            boolean firstMeta = true;
            for (var e : sorted.entrySet()) {
                if (!firstMeta) sb.append(',');
                appendString(sb, e.getKey());
                sb.append(':');
                appendString(sb, e.getValue());
                firstMeta = false;
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        for (String name : order(tensors)) {
            Tensor t = tensors.get(name);
            long nbytes = t.numel() * t.dtype().byteSize();
            if (!first) sb.append(',');
            appendString(sb, name);
            sb.append(":{\"dtype\":\"").append(formatName(t.dtype())).append("\",\"shape\":[");
            int[] s = t.shape();
            for (int i = 0; i < s.length; i++) sb.append(i == 0 ? "" : ",").append(s[i]);
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + nbytes).append("]}");
            offset += nbytes;
            first = false;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** A JSON string as serde_json writes it: short escapes where JSON has them, else lower-case {@code \\u00XX}. */
    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------- modules

    /**
     * Saves a module's state dict with metadata {@code {"format": "pt"}}, as PyTorch tools do.
     * <pre>{@code SafeTensors.saveModule(model, Path.of("model.safetensors"));}</pre>
     */
    public static void saveModule(Module module, Path file) throws IOException {
        save(module.stateDict(), file, Map.of("format", "pt"));
    }

    /**
     * Loads a file into a module's parameters and buffers. With {@code strict}, names must
     * match exactly; shapes and dtypes always must. The error names the file and lists every
     * missing, unexpected and mismatched tensor.
     * <pre>{@code SafeTensors.loadModule(model, Path.of("model.safetensors"), true);}</pre>
     */
    public static void loadModule(Module module, Path file, boolean strict) throws IOException {
        Map<String, Tensor> state = load(file);
        try {
            module.loadStateDict(state, strict);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
