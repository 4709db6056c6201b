package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NiftiTest {

    @TempDir Path tmp;

    @Test
    void brainMriShapeTypeAndMask() throws IOException {
        NiftiImage mri = NiftiReader.read(SharedDatasets.file("brain-mri/ch2.nii.gz"));
        NiftiHeader h = mri.header();
        assertArrayEquals(new int[] {181, 217, 181}, h.dims());
        assertEquals(NiftiHeader.DT_UINT8, h.datatype());
        assertEquals(8, h.bitpix());
        assertEquals(ByteOrder.LITTLE_ENDIAN, h.byteOrder());
        assertEquals(DType.U8, mri.data().dtype());
        assertArrayEquals(new int[] {181, 217, 181}, mri.data().shape(), "[z][y][x]");
        assertEquals(1f, h.pixdim()[1], 1e-4f);
        assertTrue(h.voxOffset() >= 352);

        NiftiImage bet = NiftiReader.read(SharedDatasets.file("brain-mri/ch2bet.nii.gz"));
        assertArrayEquals(h.dims(), bet.header().dims());
        Tensor mask = bet.data().gt(0);
        long brain = (long) mask.to(DType.F64).sum().item();
        assertTrue(brain > 100_000 && brain < mri.data().numel() / 2, "brain voxels: " + brain);
        // brain lies inside the head: wherever the mask is on, the full scan is non-zero
        byte[] full = mri.data().toByteArray();
        boolean[] m = mask.toBooleanArray();
        long outside = 0;
        for (int i = 0; i < m.length; i++) if (m[i] && full[i] == 0) outside++;
        assertTrue(outside < brain / 100, "mask voxels with an empty scan: " + outside);
    }

    @Test
    void writeReadRoundTripKeepsGeometry() throws IOException {
        NiftiImage bet = NiftiReader.read(SharedDatasets.file("brain-mri/ch2bet.nii.gz"));
        Tensor mask = bet.data().gt(0);
        for (String name : new String[] {"mask.nii.gz", "mask.nii"}) {
            Path out = tmp.resolve(name);
            NiftiWriter.write(out, bet.header(), mask);
            NiftiImage back = NiftiReader.read(out);
            NiftiHeader a = bet.header(), b = back.header();
            assertArrayEquals(a.dims(), b.dims());
            assertArrayEquals(a.pixdim(), b.pixdim());
            assertEquals(a.qformCode(), b.qformCode());
            assertEquals(a.sformCode(), b.sformCode());
            assertArrayEquals(a.quaternion(), b.quaternion());
            for (int r = 0; r < 3; r++) assertArrayEquals(a.srow()[r], b.srow()[r]);
            assertEquals(a.xyztUnits(), b.xyztUnits());
            assertEquals(a.description(), b.description());
            assertEquals(NiftiHeader.DT_UINT8, b.datatype());
            assertEquals(352f, b.voxOffset());
            assertArrayEquals(mask.to(DType.U8).toByteArray(), back.data().toByteArray());
        }
        assertTrue(IdxReaderTest.gunzip(Files.readAllBytes(tmp.resolve("mask.nii.gz"))).length == Files.size(tmp.resolve("mask.nii")));
    }

    @Test
    void floatAndBigEndianVolumes() throws IOException {
        float[] v = new float[2 * 3 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 3;
        Tensor vol = Tensor.of(v, 2, 3, 4);  // z=2, y=3, x=4
        Path le = tmp.resolve("f.nii");
        NiftiWriter.write(le, NiftiHeader.basic(4, 3, 2), vol);
        NiftiImage back = NiftiReader.read(le);
        assertArrayEquals(new int[] {4, 3, 2}, back.header().dims());
        assertArrayEquals(v, back.data().toFloatArray());

        // the same file byte-swapped into big-endian by hand
        byte[] raw = Files.readAllBytes(le);
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.wrap(raw.clone()).order(ByteOrder.BIG_ENDIAN);
        be.putInt(0, in.getInt(0));
        for (int i = 0; i < 8; i++) be.putShort(40 + 2 * i, in.getShort(40 + 2 * i));
        be.putShort(70, in.getShort(70)).putShort(72, in.getShort(72));
        for (int off = 76; off < 120; off += 4) be.putFloat(off, in.getFloat(off));
        for (int i = 0; i < v.length; i++) be.putFloat(352 + 4 * i, in.getFloat(352 + 4 * i));
        Path bigEndian = Files.write(tmp.resolve("be.nii"), be.array());
        NiftiImage b = NiftiReader.read(bigEndian);
        assertEquals(ByteOrder.BIG_ENDIAN, b.header().byteOrder());
        assertArrayEquals(v, b.data().toFloatArray());
        // written back with a big-endian geometry, the file stays big-endian and readable
        Path again = tmp.resolve("be2.nii");
        NiftiWriter.write(again, b.header(), b.data());
        assertEquals(ByteOrder.BIG_ENDIAN, NiftiReader.read(again).header().byteOrder());
        assertArrayEquals(v, NiftiReader.read(again).data().toFloatArray());
    }

    @Test
    void scalingIsAppliedOnRequest() throws IOException {
        Path f = tmp.resolve("s.nii");
        NiftiWriter.write(f, NiftiHeader.basic(3), Tensor.of(new int[] {0, 1, 2}, 3));
        byte[] raw = Files.readAllBytes(f);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(112, 2f).putFloat(116, 10f);
        Files.write(f, raw);
        NiftiImage img = NiftiReader.read(f);
        assertArrayEquals(new float[] {10, 12, 14}, img.scaled().toFloatArray());
    }

    @Test
    void truncatedAndCorruptFilesNameFileAndOffset() throws IOException {
        byte[] raw = IdxReaderTest.gunzip(Files.readAllBytes(SharedDatasets.file("brain-mri/ch2.nii.gz")));

        Path cut = Files.write(tmp.resolve("ch2-cut.nii"), Arrays.copyOf(raw, 1_000_000));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> NiftiReader.read(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("ends at 1000000"), e.getMessage());
        assertEquals(352, e.offset());

        Path cutGz = Files.write(tmp.resolve("ch2-cut.nii.gz"), IdxReaderTest.gzip(Arrays.copyOf(raw, 200)));
        CorruptFileException e2 = assertThrows(CorruptFileException.class, () -> NiftiReader.read(cutGz));
        assertTrue(e2.getMessage().contains("NIfTI-1 header") && e2.getMessage().contains(cutGz.toString()), e2.getMessage());

        byte[] badSize = raw.clone();
        badSize[0] = 7;
        Path bs = Files.write(tmp.resolve("bad-size.nii"), badSize);
        CorruptFileException e3 = assertThrows(CorruptFileException.class, () -> NiftiReader.read(bs));
        assertEquals(0, e3.offset());
        assertTrue(e3.getMessage().contains("sizeof_hdr"), e3.getMessage());

        byte[] badType = raw.clone();
        ByteBuffer.wrap(badType).order(ByteOrder.LITTLE_ENDIAN).putShort(70, (short) 1536);
        Path bt = Files.write(tmp.resolve("bad-type.nii"), badType);
        CorruptFileException e4 = assertThrows(CorruptFileException.class, () -> NiftiReader.read(bt));
        assertEquals(70, e4.offset());

        byte[] badMagic = raw.clone();
        badMagic[345] = 'x';
        Path bm = Files.write(tmp.resolve("bad-magic.nii"), badMagic);
        CorruptFileException e5 = assertThrows(CorruptFileException.class, () -> NiftiReader.read(bm));
        assertEquals(344, e5.offset());

        byte[] gz = Files.readAllBytes(SharedDatasets.file("brain-mri/ch2.nii.gz"));
        Path half = Files.write(tmp.resolve("ch2-half.nii.gz"), Arrays.copyOf(gz, gz.length / 2));
        CorruptFileException e6 = assertThrows(CorruptFileException.class, () -> NiftiReader.read(half));
        assertTrue(e6.getMessage().contains(half.toString()) && e6.getMessage().contains("gzip"), e6.getMessage());
    }

    @Test
    void writerRejectsMismatchedGeometry() throws IOException {
        NiftiHeader h = NiftiReader.readHeader(SharedDatasets.file("brain-mri/ch2bet.nii.gz"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NiftiWriter.write(tmp.resolve("x.nii"), h, Tensor.zeros(10, 10, 10)));
        assertTrue(e.getMessage().contains("[10, 10, 10]") && e.getMessage().contains("[181, 217, 181]"), e.getMessage());
    }
}
