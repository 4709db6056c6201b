package dev.ember.apps.segmentation;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A PNG grid to check a segmentation at a glance: one row per slice, four panels per row: the
 * image, the true mask (green) over it, the predicted mask (red) over it, and the differences
 * (missed brain in blue, extra brain in red, agreement in grey). Slices are drawn at native
 * resolution with row 0 of the array at the bottom, so in a RAS-oriented scan anterior is up.
 *
 * <pre>{@code
 * Overlays.write(Path.of("overlays.png"), List.of(new Overlays.Row("z=42  Dice 0.971", img, truth, pred, 217, 181)));
 * }</pre>
 */
public final class Overlays {

    private static final int LABEL = 18, PAD = 4;
    private static final String[] COLUMNS = {"image", "truth", "prediction", "errors"};

    private Overlays() {}

    /** One slice: intensities (any range) and the two masks, row-major {@code h x w}, with a caption. */
    public record Row(String caption, float[] image, boolean[] truth, boolean[] prediction, int h, int w) {
        public Row {
            int n = h * w;
            if (image.length != n || truth.length != n || prediction.length != n) {
                throw new IllegalArgumentException("Overlays.Row: image " + image.length + ", truth " + truth.length + " and prediction "
                        + prediction.length + " values must all be " + h + " x " + w + " = " + n);
            }
        }
    }

    /** Draws {@code rows} into a PNG at {@code file}. */
    public static void write(Path file, List<Row> rows) throws IOException {
        if (rows.isEmpty()) throw new IllegalArgumentException("Overlays.write: no slices to draw");
        int h = rows.get(0).h(), w = rows.get(0).w();
        int width = COLUMNS.length * (w + PAD) + PAD;
        int height = LABEL + rows.size() * (h + LABEL + PAD) + PAD;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.BLACK);
        for (int c = 0; c < COLUMNS.length; c++) g.drawString(COLUMNS[c], PAD + c * (w + PAD), LABEL - 5);
        int legend = PAD + 3 * (w + PAD) + g.getFontMetrics().stringWidth("errors ");
        g.setColor(new Color(40, 80, 255));
        g.drawString("missed", legend, LABEL - 5);
        g.setColor(new Color(220, 30, 30));
        g.drawString("extra", legend + g.getFontMetrics().stringWidth("missed "), LABEL - 5);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            if (row.h() != h || row.w() != w) {
                throw new IllegalArgumentException("Overlays.write: slice " + r + " is " + row.h() + "x" + row.w() + ", the first is " + h + "x" + w);
            }
            int top = LABEL + r * (h + LABEL + PAD);
            g.setColor(Color.BLACK);
            g.drawString(row.caption(), PAD, top + LABEL - 5);
            int y0 = top + LABEL;
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (float v : row.image()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float range = hi > lo ? hi - lo : 1;
            for (int y = 0; y < h; y++) {
                int py = y0 + (h - 1 - y);
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    int grey = Math.round(255 * (row.image()[i] - lo) / range);
                    boolean t = row.truth()[i], p = row.prediction()[i];
                    out.setRGB(PAD + x, py, rgb(grey, grey, grey));
                    out.setRGB(PAD + (w + PAD) + x, py, t ? blend(grey, 0, 220, 0) : rgb(grey, grey, grey));
                    out.setRGB(PAD + 2 * (w + PAD) + x, py, p ? blend(grey, 230, 30, 30) : rgb(grey, grey, grey));
                    int diff = t && !p ? rgb(40, 80, 255) : p && !t ? rgb(255, 40, 40) : t ? rgb(170, 170, 170) : rgb(20, 20, 20);
                    out.setRGB(PAD + 3 * (w + PAD) + x, py, diff);
                }
            }
        }
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(out, "png", file.toFile())) throw new IOException("no PNG writer available to write " + file);
    }

    private static int rgb(int r, int g, int b) { return (r << 16) | (g << 8) | b; }

    /** The grey value tinted half-way towards the colour. */
    private static int blend(int grey, int r, int g, int b) {
        return rgb((grey + r) / 2, (grey + g) / 2, (grey + b) / 2);
    }
}
