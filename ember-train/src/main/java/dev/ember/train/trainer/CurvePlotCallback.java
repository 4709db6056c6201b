package dev.ember.train.trainer;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Draws {@code loss.png} (train and validation loss) and one PNG per other metric, after every epoch. */
public final class CurvePlotCallback implements TrainerCallback {

    private final Path dir;

    public CurvePlotCallback(Path dir) {
        this.dir = dir;
        System.setProperty("java.awt.headless", "true");
    }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> record) {
        List<Map<String, Double>> h = t.state().history;
        try {
            Files.createDirectories(dir);
            plot(h, "loss", List.of("train_loss", "val_loss"));
            for (String k : record.keySet()) {
                if (k.startsWith("train_") && !k.equals("train_loss")) {
                    String m = k.substring(6);
                    plot(h, m, List.of("train_" + m, "val_" + m));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write curves in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void plot(List<Map<String, Double>> h, String name, List<String> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(420).title(name).xAxisTitle("epoch").yAxisTitle(name).build();
        chart.getStyler().setMarkerSize(6);
        boolean any = false;
        for (String s : series) {
            double[] x = h.stream().filter(r -> r.containsKey(s)).mapToDouble(r -> r.get("epoch")).toArray();
            double[] y = h.stream().filter(r -> r.containsKey(s)).mapToDouble(r -> r.get(s)).toArray();
            if (x.length == 0) continue;
            XYSeries xy = chart.addSeries(s, x, y);
            xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            any = true;
        }
        if (any) BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
