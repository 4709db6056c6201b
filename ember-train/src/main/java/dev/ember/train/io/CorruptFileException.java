package dev.ember.train.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file is truncated or not in the format expected. The message names the file and the
 * byte offset (binary formats; for gzip files, the offset in the decompressed data) or the line
 * number (text formats) where reading failed.
 *
 * <pre>{@code
 * try { IdxReader.read(path); }
 * catch (CorruptFileException e) { System.err.println(e.file() + " @ " + e.offset()); }
 * }</pre>
 */
public final class CorruptFileException extends IOException {

    private final Path file;
    private final long offset;
    private final int line;

    private CorruptFileException(Path file, long offset, int line, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.offset = offset;
        this.line = line;
    }

    /** A binary-format error at byte {@code offset}. */
    public static CorruptFileException atOffset(Path file, long offset, String what) {
        return atOffset(file, offset, what, null);
    }

    public static CorruptFileException atOffset(Path file, long offset, String what, Throwable cause) {
        return new CorruptFileException(file, offset, -1, file + ": at byte offset " + offset + ": " + what, cause);
    }

    /** A text-format error on 1-based line {@code line}. */
    public static CorruptFileException atLine(Path file, int line, String what) {
        return new CorruptFileException(file, -1, line, file + ": line " + line + ": " + what, null);
    }

    public Path file() { return file; }

    /** The byte offset of the problem, or -1 for text formats. */
    public long offset() { return offset; }

    /** The 1-based line of the problem, or -1 for binary formats. */
    public int line() { return line; }
}
