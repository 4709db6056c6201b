package dev.ember.apps.segmentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits the slices of one volume into train, validation and test sets in interleaved blocks of
 * consecutive slices, so that neighbouring slices (nearly identical images) never fall in two
 * sets: blocks of {@code block} slices from the lowest slice with brain, assigned in the cycle
 * train, train, train, validation, test, with {@code gap} slices left out at every border
 * between blocks of different sets. The last block is cut at the highest slice with brain.
 *
 * <pre>{@code
 * SliceSplit s = SliceSplit.interleaved(4, 155, 8, 2);  // Colin 27: brain in z = 4..155
 * s.zs(SliceSplit.Part.TEST);                            // 40-47, 86-93, 132-139
 * }</pre>
 */
public final class SliceSplit {

    /** A set of slices. */
    public enum Part { TRAIN, VALIDATION, TEST }

    private static final Part[] CYCLE = {Part.TRAIN, Part.TRAIN, Part.TRAIN, Part.VALIDATION, Part.TEST};

    private final int first, last;
    private final Part[] part; // per z in [first, last]; null: left out

    private SliceSplit(int first, int last, Part[] part) {
        this.first = first;
        this.last = last;
        this.part = part;
    }

    /**
     * The split of slices {@code first..last} (inclusive) into blocks of {@code block} with
     * {@code gap} slices left out between blocks of different sets.
     */
    public static SliceSplit interleaved(int first, int last, int block, int gap) {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("SliceSplit: slice range " + first + ".." + last + " is empty or negative");
        }
        if (block < 1 || gap < 0) {
            throw new IllegalArgumentException("SliceSplit: block " + block + " must be positive and gap " + gap + " non-negative");
        }
        Part[] part = new Part[last - first + 1];
        int z = first;
        Part previous = null;
        for (int i = 0; z <= last; i++) {
            Part p = CYCLE[i % CYCLE.length];
            if (previous != null && previous != p) z += gap;
            for (int k = 0; k < block && z <= last; k++, z++) part[z - first] = p;
            previous = p;
        }
        return new SliceSplit(first, last, part);
    }

    /** The set slice {@code z} belongs to, or null when it is left out (a gap, or outside the range). */
    public Part partOf(int z) {
        return z < first || z > last ? null : part[z - first];
    }

    /** The slices of {@code p}, ascending. */
    public int[] zs(Part p) {
        List<Integer> l = new ArrayList<>();
        for (int z = first; z <= last; z++) if (part[z - first] == p) l.add(z);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The blocks of consecutive slices of {@code p}, as {first, last} pairs, e.g. {@code [[40, 47], [86, 93]]}. */
    public List<int[]> blocks(Part p) {
        List<int[]> out = new ArrayList<>();
        int start = -1;
        for (int z = first; z <= last + 1; z++) {
            boolean in = z <= last && part[z - first] == p;
            if (in && start < 0) start = z;
            if (!in && start >= 0) {
                out.add(new int[] {start, z - 1});
                start = -1;
            }
        }
        return out;
    }

    public int first() { return first; }

    public int last() { return last; }

    /** Blocks per set, e.g. {@code train 4-27, 50-73, ...; validation 30-37, ...; test 40-47, ...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Part p : Part.values()) {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append(p.name().toLowerCase()).append(' ');
            sb.append(String.join(", ", blocks(p).stream().map(b -> b[0] + "-" + b[1]).toList()));
            sb.append(" (").append(zs(p).length).append(" slices)");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceSplit s && s.first == first && s.last == last && Arrays.equals(s.part, part);
    }

    @Override
    public int hashCode() { return 31 * (31 * first + last) + Arrays.hashCode(part); }
}
