package dev.ember.train.io;

import dev.ember.core.Tensor;
import dev.ember.train.data.TensorDataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a numeric CSV table into an f32 feature matrix [rows, columns] and, optionally, a
 * label column into i64 class indices. Fields may be double-quoted ({@code ""} escapes a
 * quote); empty fields become NaN; anything else that is not a number is an error naming the
 * line and column.
 *
 * <p>Labels that are all integers are kept as they are; otherwise each distinct label becomes
 * a class index in order of first appearance, listed in {@link Table#classes()}.
 *
 * <pre>{@code
 * CsvReader.Table t = new CsvReader().header(true).labelColumn(-1).read(Path.of("breast_cancer.csv"));
 * TensorDataset ds = t.toDataset();   // features f32 [569, 30], labels i64 [569]
 * }</pre>
 */
public final class CsvReader {

    private boolean header;
    private char delimiter = ',';
    private Integer labelIndex;
    private String labelName;

    /** A numeric table: features, labels (null without a label column) and names. */
    public record Table(Tensor features, Tensor labels, List<String> featureNames, List<String> classes) {
        /** Features and labels as a dataset; fails when the table has no label column. */
        public TensorDataset toDataset() {
            if (labels == null) throw new IllegalStateException("CsvReader.Table: no label column was chosen");
            return new TensorDataset(features, labels);
        }
    }

    /**
     * Skips the first line. Its fields become the column names when there are as many as data
     * columns (a first line of another width, like scikit-learn's {@code 569,30,malignant,benign},
     * is just skipped).
     */
    public CsvReader header(boolean v) { header = v; return this; }

    public CsvReader delimiter(char v) { delimiter = v; return this; }

    /** The label column by position; negative counts from the end ({@code -1} is the last). */
    public CsvReader labelColumn(int index) { labelIndex = index; labelName = null; return this; }

    /** The label column by header name (needs {@link #header(boolean) header(true)}). */
    public CsvReader labelColumn(String name) { labelName = name; labelIndex = null; return this; }

    public Table read(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toAbsolutePath().toString(), null, "CSV file not found");
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        String[] head = null;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
                if (header && lineNo == 1) {
                    head = split(file, lineNo, line);
                    continue;
                }
                if (line.isBlank()) continue;
                rows.add(split(file, lineNo, line));
                lineNumbers.add(lineNo);
            }
        }
        if (rows.isEmpty()) throw CorruptFileException.atLine(file, header ? 2 : 1, "no data rows");
        int cols = rows.get(0).length;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).length != cols) {
                throw CorruptFileException.atLine(file, lineNumbers.get(i), "has " + rows.get(i).length + " fields but line "
                        + lineNumbers.get(0) + " has " + cols);
            }
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < cols; c++) names.add(head != null && head.length == cols ? head[c].trim() : "col" + c);
        int label = resolveLabel(file, names, head != null && head.length == cols, cols);

        int n = rows.size();
        int f = label < 0 ? cols : cols - 1;
        float[] feats = new float[n * f];
        for (int i = 0; i < n; i++) {
            String[] row = rows.get(i);
            int k = 0;
            for (int c = 0; c < cols; c++) {
                if (c == label) continue;
                feats[i * f + k++] = (float) number(file, lineNumbers.get(i), c, names.get(c), row[c]);
            }
        }
        List<String> featureNames = new ArrayList<>(names);
        Tensor labels = null;
        List<String> classes = List.of();
        if (label >= 0) {
            featureNames.remove(label);
            long[] y = new long[n];
            boolean integers = true;
            for (String[] row : rows) {
                if (!isInteger(row[label].trim())) { integers = false; break; }
            }
            if (integers) {
                for (int i = 0; i < n; i++) y[i] = Long.parseLong(rows.get(i)[label].trim());
            } else {
                Map<String, Integer> ids = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String v = rows.get(i)[label].trim();
                    if (v.isEmpty()) throw CorruptFileException.atLine(file, lineNumbers.get(i), "empty label in column " + label);
                    y[i] = ids.computeIfAbsent(v, k -> ids.size());
                }
                classes = List.copyOf(ids.keySet());
            }
            labels = Tensor.of(y, n);
        }
        return new Table(Tensor.of(feats, n, f), labels, List.copyOf(featureNames), classes);
    }

    private int resolveLabel(Path file, List<String> names, boolean named, int cols) throws CorruptFileException {
        if (labelName != null) {
            if (!named) throw CorruptFileException.atLine(file, 1, "label column '" + labelName + "' asked for by name but the file has no header of " + cols + " names");
            int i = names.indexOf(labelName);
            if (i < 0) throw CorruptFileException.atLine(file, 1, "no column named '" + labelName + "' among " + names);
            return i;
        }
        if (labelIndex == null) return -1;
        int i = labelIndex < 0 ? cols + labelIndex : labelIndex;
        if (i < 0 || i >= cols) {
            throw new IllegalArgumentException("CsvReader: label column " + labelIndex + " is outside the " + cols + " columns of " + file);
        }
        return i;
    }

    private static boolean isInteger(String s) {
        if (s.isEmpty()) return false;
        int start = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        if (start == s.length() || s.length() - start > 18) return false;
        for (int i = start; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return false;
        return true;
    }

    private static double number(Path file, int line, int col, String name, String field) throws CorruptFileException {
        String s = field.trim();
        if (s.isEmpty()) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw CorruptFileException.atLine(file, line, "column " + col + " (" + name + ") holds '" + field + "', which is not a number");
        }
    }

    private String[] split(Path file, int lineNo, String line) throws CorruptFileException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                    else quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"' && cur.toString().isBlank()) {
                quoted = true;
                cur.setLength(0);
            } else if (ch == delimiter) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) throw CorruptFileException.atLine(file, lineNo, "unterminated quoted field");
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }
}
