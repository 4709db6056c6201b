package dev.ember.train.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Whole-file reads that undo gzip when the file starts with the gzip magic, whatever its name. */
final class FileBytes {
    private FileBytes() {}

    /** The file's bytes, decompressed when gzipped. */
    static byte[] read(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toAbsolutePath().toString(), null, "file not found");
        byte[] raw = Files.readAllBytes(file);
        if (!isGzip(raw)) return raw;
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(raw.length * 3, 64));
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
            in.transferTo(out);
        } catch (IOException e) {
            throw CorruptFileException.atOffset(file, out.size(),
                    "gzip data is corrupt or truncated after " + out.size() + " decompressed bytes (" + e.getMessage() + ")", e);
        }
        return out.toByteArray();
    }

    static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B;
    }

    /** Whether to gzip output written to {@code file}. */
    static boolean gzipName(Path file) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gz");
    }
}
