package dev.ember.train.trainer;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.Map;

/** A progress bar per epoch with rate, ETA and the running loss; one summary line per epoch. */
public final class ProgressBarCallback implements TrainerCallback {

    private ProgressBar bar;
    private final int totalEpochs;

    public ProgressBarCallback(int totalEpochs) { this.totalEpochs = totalEpochs; }

    @Override
    public void onEpochStart(Trainer t, int epoch, int startBatch, int batches) {
        bar = new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", epoch + 1, totalEpochs))
                .setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" batches", 1)
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
        bar.stepTo(startBatch);
    }

    @Override
    public void onBatchEnd(Trainer t, int epoch, int batch, double loss) {
        bar.stepTo(batch + 1);
        bar.setExtraMessage(String.format("loss %.4f", loss));
    }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> record) {
        if (bar != null) bar.close();
        StringBuilder sb = new StringBuilder(String.format("epoch %d/%d", epoch + 1, totalEpochs));
        record.forEach((k, v) -> {
            if (!k.equals("epoch")) sb.append(String.format("  %s %.4f", k, v));
        });
        System.err.println(sb);
    }
}
