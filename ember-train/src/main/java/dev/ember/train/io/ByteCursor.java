package dev.ember.train.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Reads fixed-layout binary data with bounds checks that name the file and offset. */
final class ByteCursor {

    final Path file;
    final ByteBuffer buf;

    ByteCursor(Path file, byte[] data, ByteOrder order) {
        this.file = file;
        this.buf = ByteBuffer.wrap(data).order(order);
    }

    int length() { return buf.limit(); }

    /** Fails unless {@code n} bytes for {@code what} exist at {@code offset}. */
    void need(long offset, long n, String what) throws CorruptFileException {
        if (offset < 0 || offset + n > buf.limit()) {
            throw CorruptFileException.atOffset(file, Math.min(offset, buf.limit()), "truncated: " + what + " needs " + n
                    + " bytes at offset " + offset + " but the data ends at " + buf.limit());
        }
    }

    int u8(int off, String what) throws CorruptFileException { need(off, 1, what); return buf.get(off) & 0xFF; }
    short i16(int off, String what) throws CorruptFileException { need(off, 2, what); return buf.getShort(off); }
    int i32(int off, String what) throws CorruptFileException { need(off, 4, what); return buf.getInt(off); }
    float f32(int off, String what) throws CorruptFileException { need(off, 4, what); return buf.getFloat(off); }
}
