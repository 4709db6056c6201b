package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TabularReadersTest {

    @TempDir Path tmp;

    @Test
    void breastCancerCsv() throws IOException {
        CsvReader.Table t = new CsvReader().header(true).labelColumn(-1).read(SharedDatasets.file("tabular/breast_cancer.csv"));
        assertArrayEquals(new int[] {569, 30}, t.features().shape());
        assertEquals(DType.I64, t.labels().dtype());
        long malignant = 0;
        for (long y : t.labels().toLongArray()) if (y == 0) malignant++;
        assertEquals(212, malignant);
        assertEquals(569 - 212, t.labels().numel() - malignant);
        float[] x = t.features().toFloatArray();
        assertEquals(17.99f, x[0]);
        assertEquals(10.38f, x[1]);
        assertEquals(0.1189f, x[29]);
        assertEquals(20.57f, x[30]);
        assertEquals(30, t.featureNames().size());
        assertEquals(569, t.toDataset().size());
    }

    @Test
    void csvNamedColumnsStringLabelsQuotesAndMissing() throws IOException {
        Path f = Files.writeString(tmp.resolve("t.csv"), "a,\"b, quoted\",kind\n1,2,cat\n3,,dog\n\"5\",6,cat\n");
        CsvReader.Table t = new CsvReader().header(true).labelColumn("kind").read(f);
        assertEquals(List.of("a", "b, quoted"), t.featureNames());
        assertEquals(List.of("cat", "dog"), t.classes());
        assertArrayEquals(new long[] {0, 1, 0}, t.labels().toLongArray());
        float[] x = t.features().toFloatArray();
        assertEquals(3f, x[2]);
        assertTrue(Float.isNaN(x[3]), "empty field reads as NaN");
        assertEquals(5f, x[4]);
    }

    @Test
    void csvErrorsNameFileAndLine() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.csv"), "1,2,0\n3,x4,1\n");
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> new CsvReader().labelColumn(2).read(bad));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("line 2")
                && e.getMessage().contains("'x4'") && e.getMessage().contains("column 1"), e.getMessage());

        Path ragged = Files.writeString(tmp.resolve("ragged.csv"), "h1,h2\n1,2\n3,4\n5\n");
        CorruptFileException e2 = assertThrows(CorruptFileException.class, () -> new CsvReader().header(true).read(ragged));
        assertEquals(4, e2.line());
        assertTrue(e2.getMessage().contains("1 fields"), e2.getMessage());

        // a breast_cancer.csv copy cut in the middle of a row
        List<String> lines = Files.readAllLines(SharedDatasets.file("tabular/breast_cancer.csv"));
        String cut = String.join("\n", lines.subList(0, 100)) + "\n" + lines.get(100).substring(0, 40) + "\n";
        Path truncated = Files.writeString(tmp.resolve("breast_cancer.csv"), cut);
        CorruptFileException e3 = assertThrows(CorruptFileException.class,
                () -> new CsvReader().header(true).labelColumn(-1).read(truncated));
        assertEquals(101, e3.line());
        assertTrue(e3.getMessage().contains(truncated.toString()), e3.getMessage());
    }

    @Test
    void creditGArff() throws IOException {
        ArffTable t = ArffReader.read(SharedDatasets.file("tabular/credit-g.arff"));
        assertEquals("german_credit", t.relation());
        assertEquals(21, t.attributes().size());
        assertEquals(1000, t.numRows());
        ArffTable.Attribute cls = t.attributes().get(t.indexOf("class"));
        assertEquals(List.of("good", "bad"), cls.values());
        assertArrayEquals(new long[] {700, 300}, t.valueCounts("class"));
        assertEquals(List.of("<0", "0<=X<200", ">=200", "no checking"), t.attributes().get(0).values());

        Tensor idx = t.features("class", ArffTable.NominalEncoding.INDEX);
        assertArrayEquals(new int[] {1000, 20}, idx.shape());
        // first row: '<0',6,'critical/other existing credit',radio/tv,1169,...
        float[] r0 = idx.toFloatArray();
        assertEquals(0f, r0[0]);
        assertEquals(6f, r0[1]);
        assertEquals(4f, r0[2]);
        assertEquals(3f, r0[3]);
        assertEquals(1169f, r0[4]);

        int oneHotWidth = 0;
        for (ArffTable.Attribute a : t.attributes()) if (!a.name().equals("class")) oneHotWidth += a.nominal() ? a.values().size() : 1;
        Tensor oh = t.features("class", ArffTable.NominalEncoding.ONE_HOT);
        assertArrayEquals(new int[] {1000, oneHotWidth}, oh.shape());
        assertEquals(oneHotWidth, t.featureNames("class", ArffTable.NominalEncoding.ONE_HOT).size());
        float[] o = oh.toFloatArray();
        for (int i = 0; i < 1000; i++) {
            float s = 0;
            for (int k = 0; k < 4; k++) s += o[i * oneHotWidth + k];
            assertEquals(1f, s, "checking_status one-hot of row " + i);
        }
        assertArrayEquals(new float[] {1, 0, 0, 0, 6, 0, 0, 0, 0, 1}, java.util.Arrays.copyOf(o, 10));
        long bad = 0;
        for (long y : t.classIndices("class").toLongArray()) bad += y;
        assertEquals(300, bad);
    }

    @Test
    void unbalancedArff() throws IOException {
        ArffTable t = ArffReader.read(SharedDatasets.file("tabular/unbalanced.arff"));
        assertEquals(856, t.numRows());
        assertArrayEquals(new long[] {12, 844}, t.valueCounts("Outcome"));
        var ds = t.toDataset("Outcome", ArffTable.NominalEncoding.ONE_HOT);
        assertArrayEquals(new int[] {856, 32}, ds.inputs().shape());
        assertEquals(856, ds.size());
    }

    @Test
    void arffMissingValuesCommentsAndQuotes() throws IOException {
        Path f = Files.writeString(tmp.resolve("m.arff"), """
                % a comment
                @RELATION 'tiny set'
                @attribute x NUMERIC
                @attribute 'colour name' {red, 'dark blue', "green"}
                @attribute y {no,yes}
                @data
                % rows follow
                1.5, red, yes
                ?, 'dark blue', no
                3, ?, yes
                """);
        ArffTable t = ArffReader.read(f);
        assertEquals("tiny set", t.relation());
        assertEquals("colour name", t.attributes().get(1).name());
        assertTrue(Double.isNaN(t.value(1, 0)));
        assertEquals(1.0, t.value(1, 1));
        float[] oh = t.features("y", ArffTable.NominalEncoding.ONE_HOT).toFloatArray();
        assertArrayEquals(new float[] {1.5f, 1, 0, 0, Float.NaN, 0, 1, 0, 3, 0, 0, 0}, oh);
        float[] ix = t.features("y", ArffTable.NominalEncoding.INDEX).toFloatArray();
        assertTrue(Float.isNaN(ix[5]), "missing nominal value with index encoding is NaN");
        assertArrayEquals(new long[] {1, 0, 1}, t.classIndices("y").toLongArray());
    }

    @Test
    void arffErrorsNameFileAndLine() throws IOException {
        Path f = Files.writeString(tmp.resolve("e.arff"), "@relation r\n@attribute a numeric\n@attribute c {p,q}\n@data\n1,p\n2,z\n");
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ArffReader.read(f));
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'z'") && e.getMessage().contains("[p, q]"), e.getMessage());

        Path g = Files.writeString(tmp.resolve("g.arff"), "@relation r\n@attribute a numeric\n@attribute c {p,q}\n@data\n1,p\n2\n");
        CorruptFileException e2 = assertThrows(CorruptFileException.class, () -> ArffReader.read(g));
        assertEquals(6, e2.line());

        List<String> lines = Files.readAllLines(SharedDatasets.file("tabular/credit-g.arff"));
        int dataLine = lines.indexOf("@data");
        Path cut = Files.writeString(tmp.resolve("credit-g.arff"), String.join("\n", lines.subList(0, dataLine + 4)) + "\n"
                + lines.get(dataLine + 4).substring(0, 30) + "\n");
        CorruptFileException e3 = assertThrows(CorruptFileException.class, () -> ArffReader.read(cut));
        assertEquals(dataLine + 5, e3.line());
        assertTrue(e3.getMessage().contains(cut.toString()), e3.getMessage());

        Path s = Files.writeString(tmp.resolve("s.arff"), "@relation r\n@attribute a string\n@data\n");
        CorruptFileException e4 = assertThrows(CorruptFileException.class, () -> ArffReader.read(s));
        assertEquals(2, e4.line());
        assertTrue(e4.getMessage().contains("unsupported type"), e4.getMessage());
    }
}
