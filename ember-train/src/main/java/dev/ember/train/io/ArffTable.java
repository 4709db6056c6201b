package dev.ember.train.io;

import dev.ember.core.Tensor;
import dev.ember.train.data.TensorDataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of an ARFF file as doubles: numeric values as read, nominal values as the index of
 * the value in the attribute's declaration, missing values as NaN. Converts to tensors with a
 * chosen class attribute and nominal encoding.
 *
 * <pre>{@code
 * ArffTable t = ArffReader.read(Path.of("unbalanced.arff"));
 * Tensor x = t.features("Outcome", ArffTable.NominalEncoding.INDEX);   // f32 [856, 32]
 * Tensor y = t.classIndices("Outcome");                               // i64, 0 = Active
 * }</pre>
 */
public final class ArffTable {

    /** A declared attribute; {@code values} lists a nominal attribute's values in order. */
    public record Attribute(String name, boolean nominal, List<String> values) {
        public Attribute {
            values = List.copyOf(values);
        }
    }

    /** How nominal feature attributes become numbers. */
    public enum NominalEncoding {
        /** One column per value, 1 for the row's value (all 0 when missing). */
        ONE_HOT,
        /** One column holding the value's index (NaN when missing). */
        INDEX
    }

    private final Path file;
    private final String relation;
    private final List<Attribute> attributes;
    private final List<double[]> rows;

    ArffTable(Path file, String relation, List<Attribute> attributes, List<double[]> rows) {
        this.file = file;
        this.relation = relation;
        this.attributes = List.copyOf(attributes);
        this.rows = rows;
    }

    public String relation() { return relation; }
    public List<Attribute> attributes() { return attributes; }
    public int numRows() { return rows.size(); }

    /** Row {@code row}'s value of attribute {@code attr} (nominal: value index; missing: NaN). */
    public double value(int row, int attr) { return rows.get(row)[attr]; }

    /** The position of the attribute called {@code name}. */
    public int indexOf(String name) {
        for (int i = 0; i < attributes.size(); i++) if (attributes.get(i).name().equals(name)) return i;
        List<String> names = attributes.stream().map(Attribute::name).toList();
        throw new IllegalArgumentException("ArffTable: no attribute '" + name + "' in " + file + "; attributes are " + names);
    }

    /** The class attribute's value index per row, i64 [rows]; a missing class is an error. */
    public Tensor classIndices(String classAttribute) {
        int c = classColumn(classAttribute);
        long[] y = new long[rows.size()];
        for (int i = 0; i < y.length; i++) {
            double v = rows.get(i)[c];
            if (Double.isNaN(v)) {
                throw new IllegalStateException("ArffTable: data row " + (i + 1) + " of " + file + " has no value for class '" + classAttribute + "'");
            }
            y[i] = (long) v;
        }
        return Tensor.of(y, y.length);
    }

    /** How many rows have each value of the nominal attribute {@code name}. */
    public long[] valueCounts(String name) {
        int c = classColumn(name);
        long[] counts = new long[attributes.get(c).values().size()];
        for (double[] r : rows) if (!Double.isNaN(r[c])) counts[(int) r[c]]++;
        return counts;
    }

    /** Every attribute except {@code classAttribute}, as f32 [rows, columns]. */
    public Tensor features(String classAttribute, NominalEncoding encoding) {
        int c = classAttribute == null ? -1 : indexOf(classAttribute);
        int width = featureNames(classAttribute, encoding).size();
        float[] x = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            double[] r = rows.get(i);
            int k = i * width;
            for (int a = 0; a < attributes.size(); a++) {
                if (a == c) continue;
                Attribute at = attributes.get(a);
                if (at.nominal() && encoding == NominalEncoding.ONE_HOT) {
                    if (!Double.isNaN(r[a])) x[k + (int) r[a]] = 1f;
                    k += at.values().size();
                } else {
                    x[k++] = (float) r[a];
                }
            }
        }
        return Tensor.of(x, rows.size(), width);
    }

    /** Column names of {@link #features}: {@code name} or {@code name=value} for one-hot columns. */
    public List<String> featureNames(String classAttribute, NominalEncoding encoding) {
        int c = classAttribute == null ? -1 : indexOf(classAttribute);
        List<String> out = new ArrayList<>();
        for (int a = 0; a < attributes.size(); a++) {
            if (a == c) continue;
            Attribute at = attributes.get(a);
            if (at.nominal() && encoding == NominalEncoding.ONE_HOT) {
                for (String v : at.values()) out.add(at.name() + "=" + v);
            } else {
                out.add(at.name());
            }
        }
        return out;
    }

    /** Features and class indices as a dataset. */
    public TensorDataset toDataset(String classAttribute, NominalEncoding encoding) {
        return new TensorDataset(features(classAttribute, encoding), classIndices(classAttribute));
    }

    private int classColumn(String name) {
        int c = indexOf(name);
        if (!attributes.get(c).nominal()) {
            throw new IllegalArgumentException("ArffTable: attribute '" + name + "' of " + file + " is numeric, not nominal");
        }
        return c;
    }
}
