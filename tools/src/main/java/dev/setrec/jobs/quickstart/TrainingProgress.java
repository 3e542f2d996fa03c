package dev.setrec.jobs.quickstart;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a training stands, read from its log as it is written through to {@code log}: the model being trained (the
 * trainers' "SASRec: ..." and "SETRec: ..." lines; SASRec first, for SETRec's CF tokens) and the epoch from the
 * progress bar's lines ("epoch 3/6 [=====   ]  40% ... ETA 0:30 ..."), with an estimate of the time left.
 */
public final class TrainingProgress extends OutputStream {
    private static final Pattern MODEL = Pattern.compile("^(SASRec|SETRec): ");
    private static final Pattern EPOCH = Pattern.compile(
            "^epoch (\\d+)/(\\d+) \\[[= ]*\\]\\s+(\\d+)%.*? (?:ETA (?<left>[\\d:]+)|in (?<took>[\\d:]+))");
    private static final String CLEAR_TO_END_OF_LINE = "\u001b[K";

    private final OutputStream log;
    private final Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private String model;
    private int epoch;
    private int epochs;
    private double epochSecondsLeft;
    private double epochSeconds = Double.NaN; // of the last finished epoch, or estimated from the running one

    public TrainingProgress(OutputStream log) {
        this(log, text -> { });
    }

    /** As above, each line of the log also given to {@code lines} (outside the lock that {@link #describe} takes). */
    public TrainingProgress(OutputStream log, Consumer<String> lines) {
        this.log = log;
        this.lines = lines;
    }

    @Override
    public void write(int b) throws IOException {
        String finished = null;
        synchronized (this) {
            log.write(b);
            if (b == '\n' || b == '\r') {
                finished = line.toString(StandardCharsets.UTF_8).replace(CLEAR_TO_END_OF_LINE, "");
                read(finished);
                line.reset();
            } else {
                line.write(b);
            }
        }
        if (finished != null) {
            lines.accept(finished);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        log.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        log.close();
    }

    /**
     * E.g. "SETRec epoch 3/6, about 4 min left", "SASRec for the CF tokens epoch 2/20, SETRec next"; "getting ready"
     * before the first epoch.
     */
    public synchronized String describe() {
        if (model == null || epoch == 0) {
            return "getting ready";
        }
        String at = String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs);
        if (model.equals("SASRec")) {
            return "SASRec for the CF tokens " + at + ", SETRec next";
        }
        double left = epochSecondsLeft + (epochs - epoch) * (Double.isNaN(epochSeconds) ? 0 : epochSeconds);
        return "SETRec " + at + (left < 60 ? ", under a minute left"
                : String.format(Locale.ROOT, ", about %d min left", Math.round(left / 60)));
    }

    private void read(String text) {
        Matcher m = MODEL.matcher(text);
        if (m.find()) {
            model = m.group(1);
            epoch = 0;
            epochSeconds = Double.NaN;
            return;
        }
        m = EPOCH.matcher(text);
        if (!m.find()) {
            return;
        }
        epoch = Integer.parseInt(m.group(1));
        epochs = Integer.parseInt(m.group(2));
        int percent = Integer.parseInt(m.group(3));
        if (m.group("took") != null) {
            epochSecondsLeft = 0;
            epochSeconds = seconds(m.group("took"));
        } else {
            epochSecondsLeft = seconds(m.group("left"));
            if (Double.isNaN(epochSeconds) && percent > 0 && percent < 100) {
                epochSeconds = epochSecondsLeft / (1 - percent / 100.0);
            }
        }
    }

    /** "1:02" or "1:00:05" in seconds. */
    private static double seconds(String clock) {
        double seconds = 0;
        for (String part : clock.split(":")) {
            seconds = seconds * 60 + Integer.parseInt(part);
        }
        return seconds;
    }
}
