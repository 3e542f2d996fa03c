package dev.setrec.jobs.quickstart;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Draws the job's state and the live figures on the console. Like the project's progress bar, it redraws in place on
 * an interactive console (System.console() present), with a sample recommendation scrolling above the block every
 * few seconds; otherwise (a pipe, a log file) it prints the block and a sample every 10 seconds, so logs stay short,
 * and at once when the job's state or restarts change, so a log shows every restart when it happens.
 */
public final class StatusBoard {
    private static final long INTERACTIVE_SAMPLE_EVERY_MILLIS = 5_000;
    private static final long PLAIN_EVERY_MILLIS = 10_000;
    private static final int SAMPLE_ITEMS = 3;
    private static final String CLEAR_TO_END_OF_LINE = "\u001b[K";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final ItemTitles titles;
    private final boolean interactive;
    private int linesOnScreen; // of the block drawn last, to be redrawn in place
    private long nextPlainPrint;
    private long nextSample;
    private JobHealth lastJobDrawn;
    private int announced; // models whose takeover was said (the first serves from the start: nothing to say)
    private final Queue<String> announcements = new ConcurrentLinkedQueue<>();
    private volatile Supplier<Optional<String>> training = Optional::empty;
    private volatile Milestones milestones;
    private volatile RefreshOutcomes refreshes;

    public StatusBoard(PrintStream out, ItemTitles titles, boolean interactive) {
        this.out = out;
        this.titles = titles;
        this.interactive = interactive;
    }

    /** A board on {@code out} that is interactive when the JVM has a console. */
    public static StatusBoard forConsole(PrintStream out, ItemTitles titles) {
        return new StatusBoard(out, titles, System.console() != null);
    }

    /** A board on {@code out} for the job alone (no replay, no figures), interactive when the JVM has a console. */
    public static StatusBoard forJob(PrintStream out) {
        return new StatusBoard(out, ItemTitles.none(), System.console() != null);
    }

    /** Shows how far a training in the background is, on the models line, while it says so (any thread). */
    public void showTraining(Supplier<Optional<String>> progress) {
        training = progress;
    }

    /**
     * Shows the version serving now by its short name and the refresh's outcomes so far, on a line of their own (the
     * outcomes themselves are {@link #announce announced} as they come).
     */
    public void showVersions(RefreshOutcomes outcomes) {
        refreshes = outcomes;
    }

    /** Says the run's milestones, each once, above the block. */
    public void sayMilestones(Milestones said) {
        milestones = said;
    }

    /** A line to scroll above the block at the next drawing (any thread; printing it at once would tear the block). */
    public void announce(String line) {
        announcements.add(line);
    }

    /** Called about once a second: draws the job and the figures when it is time to. */
    public void render(LiveFigures figures, JobHealth job, long nowMillis) {
        if (!due(job, nowMillis)) {
            return;
        }
        LiveFigures.Snapshot snapshot = figures.snapshot(nowMillis);
        List<String> scrolled = takeovers(snapshot); // before what the replay says about it
        scrolled.addAll(announced(snapshot));
        if (nowMillis >= nextSample) {
            figures.latestSample().ifPresent(sample -> scrolled.add(sampleLine(sample)));
            nextSample = nowMillis + (interactive ? INTERACTIVE_SAMPLE_EVERY_MILLIS : PLAIN_EVERY_MILLIS);
        }
        draw(scrolled, liveBlock(snapshot, job, nowMillis));
    }

    /** The live block: the figures, then the version serving now and the refreshes where the board shows them. */
    private List<String> liveBlock(LiveFigures.Snapshot snapshot, JobHealth job, long nowMillis) {
        List<String> block = new ArrayList<>(lines(snapshot, job, nowMillis, training.get()));
        RefreshOutcomes outcomes = refreshes;
        if (outcomes != null) {
            block.add(versionLine(snapshot, outcomes));
        }
        return block;
    }

    /** The model of the newest version that recommended (versions only move forward), and the refreshes so far. */
    static String versionLine(LiveFigures.Snapshot s, RefreshOutcomes outcomes) {
        List<Map.Entry<String, LiveFigures.ModelFigures>> models = inServingOrder(s).stream()
                .filter(e -> !LiveFigures.FALLBACK.equals(e.getKey())).toList();
        String serving = models.isEmpty() ? "popularity fallback" : format("%s since %s",
                outcomes.shortName(models.get(models.size() - 1).getKey()),
                clock(models.get(models.size() - 1).getValue().firstArrivalMillis()));
        return "version  " + serving + " | " + outcomes.describe();
    }

    /** The milestones not said yet, then the announcements. */
    private List<String> announced(LiveFigures.Snapshot snapshot) {
        Milestones said = milestones;
        List<String> lines = said == null ? new ArrayList<>() : said.newLines(snapshot);
        for (String line = announcements.poll(); line != null; line = announcements.poll()) {
            lines.add(line);
        }
        return lines;
    }

    /**
     * A line for each SETRec model that took over since the last call: when its first recommendation came, how long
     * after the run's first one, and which served before it. The fallback is not said to take over: it also answers
     * now and then while a model serves (a timeout, a history the model cannot rank).
     */
    private List<String> takeovers(LiveFigures.Snapshot s) {
        List<Map.Entry<String, LiveFigures.ModelFigures>> models = inServingOrder(s);
        List<String> lines = new ArrayList<>();
        for (int i = announced; i < models.size(); i++) {
            if (i > 0 && !LiveFigures.FALLBACK.equals(models.get(i).getKey())) {
                long first = models.get(0).getValue().firstArrivalMillis();
                long since = models.get(i).getValue().firstArrivalMillis();
                lines.add(format("%s serving since %s, after %d s; before it: %s", modelName(models.get(i).getKey()),
                        clock(since), (since - first) / 1000, models.subList(0, i).stream()
                                .map(e -> modelName(e.getKey())).collect(Collectors.joining(", "))));
            }
        }
        announced = models.size();
        return lines;
    }

    private static List<Map.Entry<String, LiveFigures.ModelFigures>> inServingOrder(LiveFigures.Snapshot s) {
        return s.byModel().entrySet().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().firstArrivalMillis())).toList();
    }

    /** The popularity fallback by that name, a SETRec model by its version. */
    private static String modelName(String key) {
        return LiveFigures.FALLBACK.equals(key) ? key : "SETRec " + key;
    }

    private static String clock(long millis) {
        return CLOCK.format(Instant.ofEpochMilli(millis));
    }

    /** Each model's Recall@10 since it began serving, in serving order, then a training under way. */
    private static String modelsLine(LiveFigures.Snapshot s, Optional<String> training) {
        return "models   " + (s.byModel().isEmpty() ? "-" : inServingOrder(s).stream()
                .map(e -> format("%s since %s: Recall@10 %s (%,d recs)", modelName(e.getKey()),
                        clock(e.getValue().firstArrivalMillis()), Double.isNaN(e.getValue().recallAt10()) ? "-"
                                : format("%.4f", e.getValue().recallAt10()), e.getValue().recommendations()))
                .collect(Collectors.joining(" | "))) + training.map(t -> " | training: " + t).orElse("");
    }

    /** Called about once a second: draws the job's line when it is time to. */
    public void render(JobHealth job, long nowMillis) {
        if (due(job, nowMillis)) {
            draw(List.of(), List.of(jobLine(job, nowMillis)));
        }
    }

    /** The final figures, in place of the live block. */
    public void summary(LiveFigures.Snapshot snapshot, JobHealth job, long nowMillis) {
        List<String> block = new ArrayList<>();
        block.add("summary:");
        block.addAll(liveBlock(snapshot, job, nowMillis));
        draw(announced(snapshot), block);
        linesOnScreen = 0;
    }

    /** The job's final line, in place of the live one (a log that has it already does not get it twice). */
    public void summary(JobHealth job, long nowMillis) {
        if (interactive || job.changedFrom(lastJobDrawn)) {
            draw(List.of(), List.of(jobLine(job, nowMillis)));
        }
        linesOnScreen = 0;
    }

    private boolean due(JobHealth job, long nowMillis) {
        if (!interactive && nowMillis < nextPlainPrint && !job.changedFrom(lastJobDrawn)) {
            return false;
        }
        nextPlainPrint = nowMillis + PLAIN_EVERY_MILLIS;
        lastJobDrawn = job;
        return true;
    }

    private static String jobLine(JobHealth job, long nowMillis) {
        return "job      " + job.describe(nowMillis);
    }

    private static List<String> lines(LiveFigures.Snapshot s, JobHealth job, long nowMillis,
                                      Optional<String> training) {
        String latency = s.latencySamples() == 0 ? "latency -"
                : format("latency p50 %,d ms, p99 %,d ms (last %,d)", s.latencyP50Millis(), s.latencyP99Millis(),
                        s.latencySamples());
        String recall = s.withNextItem() == 0 ? "Recall@10 -"
                : format("Recall@10 %.4f (%,d of %,d with a next item)", s.recallAt10(), s.hitsAt10(),
                        s.withNextItem());
        String seeded = s.seedEvents() == 0 ? ""
                : format(" | histories seeded with %,d/%,d train interactions", s.seedsRecommended(), s.seedEvents());
        // a rate of 0/s says nothing on its own: while the job is not running, say so next to it
        String notRunning = job.state() == JobState.RUNNING ? "" : ", job " + job.state().label();
        return List.of(
                jobLine(job, nowMillis),
                format("replay   %,d/%,d events sent, %,d broken messages | %d/%d cold items onboarded%s",
                        s.eventsSent(), s.plannedEvents(), s.badMessagesSent(), s.coldItemsOnboarded(),
                        s.coldItemsHeldBack(), seeded),
                format("recs     %,d (%.1f/s%s) | %s | %,d fallbacks", s.recommendations(),
                        s.recommendationsPerSecond(), notRunning, latency, s.fallbacks()),
                format("quality  %s | cold: %d/%d items in a top 10, %,d/%,d next-item hits", recall,
                        s.coldItemsRecommended(), s.coldItemsHeldBack(), s.coldHits(), s.coldTargets()),
                modelsLine(s, training),
                format("dead     %,d letters%s%s", s.deadLetters(), byReason(s.deadLettersByReason()),
                        s.unreadable() == 0 ? "" : format(" | %,d unreadable", s.unreadable())));
    }

    String sampleLine(LiveFigures.Sample sample) {
        String top = sample.topItemIds().stream().limit(SAMPLE_ITEMS).map(titles::shortTitle)
                .collect(Collectors.joining(" | "));
        return "user " + sample.userId() + " after " + titles.shortTitle(sample.afterItemId()) + " -> " + top;
    }

    private static String byReason(Map<String, Long> byReason) {
        return byReason.isEmpty() ? "" : ": " + byReason.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** Lines that scroll, then the block; on a console the previous block is overwritten. */
    private void draw(List<String> scrolled, List<String> block) {
        StringBuilder sb = new StringBuilder();
        if (interactive && linesOnScreen > 0) {
            sb.append("\r\u001b[").append(linesOnScreen).append('A'); // back to the block's first line
        }
        String endOfLine = (interactive ? CLEAR_TO_END_OF_LINE : "") + System.lineSeparator();
        for (String line : scrolled) {
            sb.append(line).append(endOfLine);
        }
        for (String line : block) {
            sb.append(line).append(endOfLine);
        }
        linesOnScreen = block.size();
        out.print(sb);
        out.flush();
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
