package dev.ember.train.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads Weka ARFF files: {@code @relation}, {@code @attribute} lines of type
 * {@code numeric}/{@code real}/{@code integer} or nominal {@code {a, b, 'c d'}}, then
 * {@code @data} rows of comma-separated values, with {@code ?} for a missing value and
 * {@code %} comments. Values may be quoted with {@code '} or {@code "}. Sparse rows, string,
 * date and relational attributes are reported as unsupported, naming the line.
 *
 * <pre>{@code
 * ArffTable t = ArffReader.read(Path.of("credit-g.arff"));
 * TensorDataset ds = t.toDataset("class", ArffTable.NominalEncoding.ONE_HOT);
 * }</pre>
 */
public final class ArffReader {

    private ArffReader() {}

    public static ArffTable read(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toAbsolutePath().toString(), null, "ARFF file not found");
        String relation = null;
        List<ArffTable.Attribute> attrs = new ArrayList<>();
        List<Map<String, Integer>> lookup = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<double[]> rows = new ArrayList<>();
        boolean data = false;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String raw;
            int lineNo = 0;
            while ((raw = r.readLine()) != null) {
                lineNo++;
                String line = raw.strip();
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isEmpty() || line.startsWith("%")) continue;
                if (!data) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("@relation")) {
                        relation = unquote(line.substring(9).strip());
                    } else if (lower.startsWith("@attribute")) {
                        ArffTable.Attribute a = attribute(file, lineNo, line.substring(10).strip());
                        if (!names.add(a.name())) throw CorruptFileException.atLine(file, lineNo, "attribute '" + a.name() + "' is declared twice");
                        attrs.add(a);
                        Map<String, Integer> m = new HashMap<>();
                        for (int i = 0; i < a.values().size(); i++) m.put(a.values().get(i), i);
                        lookup.add(m);
                    } else if (lower.startsWith("@data")) {
                        if (attrs.isEmpty()) throw CorruptFileException.atLine(file, lineNo, "@data before any @attribute");
                        data = true;
                    } else {
                        throw CorruptFileException.atLine(file, lineNo, "expected @relation, @attribute or @data, found '" + abbreviate(line) + "'");
                    }
                    continue;
                }
                if (line.startsWith("{")) throw CorruptFileException.atLine(file, lineNo, "sparse ARFF rows are not supported");
                List<String> fields = tokens(file, lineNo, line);
                if (fields.size() != attrs.size()) {
                    throw CorruptFileException.atLine(file, lineNo, "has " + fields.size() + " values but " + attrs.size() + " attributes are declared");
                }
                double[] row = new double[attrs.size()];
                for (int a = 0; a < row.length; a++) {
                    String v = fields.get(a);
                    ArffTable.Attribute at = attrs.get(a);
                    if (v.equals("?")) {
                        row[a] = Double.NaN;
                    } else if (at.nominal()) {
                        Integer idx = lookup.get(a).get(v);
                        if (idx == null) {
                            throw CorruptFileException.atLine(file, lineNo, "value '" + v + "' of nominal attribute '" + at.name()
                                    + "' is not one of " + at.values());
                        }
                        row[a] = idx;
                    } else {
                        try {
                            row[a] = Double.parseDouble(v);
                        } catch (NumberFormatException e) {
                            throw CorruptFileException.atLine(file, lineNo, "value '" + v + "' of numeric attribute '" + at.name() + "' is not a number");
                        }
                    }
                }
                rows.add(row);
            }
            if (!data) throw CorruptFileException.atLine(file, lineNo + 1, "no @data section (file ends after line " + lineNo + ")");
        }
        return new ArffTable(file, relation == null ? "" : relation, attrs, rows);
    }

    private static ArffTable.Attribute attribute(Path file, int lineNo, String rest) throws CorruptFileException {
        if (rest.isEmpty()) throw CorruptFileException.atLine(file, lineNo, "@attribute without a name");
        String name;
        String type;
        char q = rest.charAt(0);
        if (q == '\'' || q == '"') {
            int end = rest.indexOf(q, 1);
            if (end < 0) throw CorruptFileException.atLine(file, lineNo, "unterminated quoted attribute name");
            name = rest.substring(1, end);
            type = rest.substring(end + 1).strip();
        } else {
            int sp = 0;
            while (sp < rest.length() && !Character.isWhitespace(rest.charAt(sp)) && rest.charAt(sp) != '{') sp++;
            name = rest.substring(0, sp);
            type = rest.substring(sp).strip();
        }
        if (type.startsWith("{")) {
            int close = type.lastIndexOf('}');
            if (close < 0) throw CorruptFileException.atLine(file, lineNo, "nominal attribute '" + name + "' has no closing '}'");
            List<String> values = tokens(file, lineNo, type.substring(1, close));
            if (values.size() == 1 && values.get(0).isEmpty()) values = List.of();
            if (new HashSet<>(values).size() != values.size()) {
                throw CorruptFileException.atLine(file, lineNo, "nominal attribute '" + name + "' repeats a value in " + values);
            }
            return new ArffTable.Attribute(name, true, values);
        }
        String t = type.toLowerCase(Locale.ROOT);
        if (t.equals("numeric") || t.equals("real") || t.equals("integer")) return new ArffTable.Attribute(name, false, List.of());
        throw CorruptFileException.atLine(file, lineNo, "attribute '" + name + "' has unsupported type '" + type
                + "' (supported: numeric, real, integer, nominal {...})");
    }

    /** Splits on commas outside quotes, trimming and unquoting each value. */
    private static List<String> tokens(Path file, int lineNo, String s) throws CorruptFileException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        while (true) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            cur.setLength(0);
            if (i < s.length() && (s.charAt(i) == '\'' || s.charAt(i) == '"')) {
                char q = s.charAt(i++);
                boolean closed = false;
                while (i < s.length()) {
                    char ch = s.charAt(i++);
                    if (ch == '\\' && i < s.length()) { cur.append(s.charAt(i++)); continue; }
                    if (ch == q) { closed = true; break; }
                    cur.append(ch);
                }
                if (!closed) throw CorruptFileException.atLine(file, lineNo, "unterminated quoted value");
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
                out.add(cur.toString());
            } else {
                while (i < s.length() && s.charAt(i) != ',') cur.append(s.charAt(i++));
                out.add(cur.toString().strip());
            }
            if (i >= s.length()) break;
            if (s.charAt(i) != ',') throw CorruptFileException.atLine(file, lineNo, "expected ',' at column " + (i + 1));
            i++;
        }
        return out;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
