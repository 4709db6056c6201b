package dev.ember.train.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes every finished epoch's record to {@code metrics.csv} and {@code metrics.jsonl}, rewritten
 * whole from the run's history so a resumed run's logs have no duplicates or gaps.
 */
public final class MetricsLogCallback implements TrainerCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public MetricsLogCallback(Path dir) { this.dir = dir; }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> record) {
        write(t.state().history);
    }

    void write(List<Map<String, Double>> history) {
        try {
            Files.createDirectories(dir);
            List<String> columns = new ArrayList<>();
            for (var r : history) for (String k : r.keySet()) if (!columns.contains(k)) columns.add(k);
            StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
            StringBuilder jsonl = new StringBuilder();
            for (var r : history) {
                List<String> cells = new ArrayList<>();
                for (String c : columns) {
                    Double v = r.get(c);
                    cells.add(v == null ? "" : c.equals("epoch") ? String.valueOf(v.longValue()) : String.valueOf(v));
                }
                csv.append(String.join(",", cells)).append('\n');
                jsonl.append(JSON.writeValueAsString(r)).append('\n');
            }
            Files.writeString(dir.resolve("metrics.csv"), csv);
            Files.writeString(dir.resolve("metrics.jsonl"), jsonl);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the metrics log in " + dir + ": " + e.getMessage(), e);
        }
    }
}
