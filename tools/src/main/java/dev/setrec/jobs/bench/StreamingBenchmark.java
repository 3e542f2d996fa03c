package dev.setrec.jobs.bench;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.bench.RecommendationArrivals.Arrival;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.quickstart.LatencyWindow;
import dev.setrec.jobs.quickstart.ReplayPlan;
import dev.setrec.jobs.quickstart.Replayer;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.util.Machine;
import dev.setrec.util.Progress;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.FileUtils;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Streaming rows of BENCHMARKS.md: the recommendation job as the quickstart runs it (in-process Kafka broker, local
 * Flink with parallelism 2, RocksDB, checkpoints every second) serving a SETRec model and fed with the data set's
 * held-back interactions (the quickstart's replay, no broken messages). Per delivery mode, on a fresh broker and
 * job: a warm-up at the offered load, sustained throughput flat out, latency at the offered load, and how soon new
 * items are recommendable. The warm-up is long because a fresh process is far from its steady state for the first
 * half minute or so (the JIT compiles the broker's, Flink's and the clients' hot paths on the same 2 cores): with a
 * short one the first mode measured lost its latency phase to that, whichever mode ran first. Latency is the
 * recommendation's arrival at a reader minus the Kafka timestamp of the interaction
 * that triggered it (both this machine's clock).
 */
public final class StreamingBenchmark {
    /**
     * @param warmUpSeconds    how long the warm-up publishes at the offered load (not measured)
     * @param throughputEvents events published flat out for the throughput phase
     * @param offeredPerSecond offered load of the warm-up and the latency phase, events/s
     * @param latencySeconds   how long the latency phase publishes
     * @param jobOptions       job options for every mode (see JobOptions), e.g. batch sizes
     * @param refreshBeside    whether the refresh job runs beside the job, the phases measured while it trains
     */
    public record Settings(int warmUpSeconds, int throughputEvents, double offeredPerSecond, int latencySeconds,
                           Map<String, String> jobOptions, boolean refreshBeside) {
        public Settings {
            jobOptions = Map.copyOf(jobOptions);
            if (warmUpSeconds < 0) {
                throw new IllegalArgumentException("the warm-up cannot last " + warmUpSeconds + " s");
            }
            if (throughputEvents < MIN_THROUGHPUT_EVENTS) {
                throw new IllegalArgumentException("throughput needs at least " + MIN_THROUGHPUT_EVENTS
                        + " events, got " + throughputEvents);
            }
            // the fields are not assigned yet: latencyEvents() would read zeros
            if (!(offeredPerSecond > 0) || Double.isInfinite(offeredPerSecond) || latencySeconds < 1
                    || Math.round(offeredPerSecond * latencySeconds) < 2) {
                throw new IllegalArgumentException("the latency phase needs a rate > 0, at least a second and two "
                        + "events, got " + offeredPerSecond + "/s for " + latencySeconds + " s");
            }
        }

        int latencyEvents() {
            return (int) Math.round(offeredPerSecond * latencySeconds);
        }

        /** At least the events that load the model, open RocksDB and fill the first batches. */
        int warmUpEvents() {
            return Math.max(MIN_WARM_UP_EVENTS, (int) Math.round(offeredPerSecond * warmUpSeconds));
        }
    }

    private static final int MIN_THROUGHPUT_EVENTS = 100;
    private static final int MIN_WARM_UP_EVENTS = 500;
    private static final int NEW_ITEMS = 5;
    private static final long SEED = 42; // the quickstart's replay order
    /** A phase fails when no recommendation arrives for this long (the job failed, or is stuck). */
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);
    private static final long LOOK_EVERY_MILLIS = 50;
    /** How long the first refresh beside the job may take to begin training (the window fills during the warm-up). */
    private static final Duration REFRESH_STARTS = Duration.ofMinutes(3);

    private final Dataset dataset;
    private final Path model;
    private final Settings settings;
    private final String command;
    private final PrintStream log;
    private final ReplayPlan plan;

    public StreamingBenchmark(Dataset dataset, Path model, Settings settings, String command, PrintStream log) {
        this.dataset = dataset;
        this.model = model;
        this.settings = settings;
        this.command = command;
        this.log = log;
        this.plan = ReplayPlan.of(dataset, SEED, NEW_ITEMS);
        if (plan.heldBackItems().size() < NEW_ITEMS) {
            throw new IllegalArgumentException(dataset.name() + " has only " + plan.heldBackItems().size()
                    + " replayed cold items with text; the onboarding phase needs " + NEW_ITEMS);
        }
    }

    /** Runs every phase in {@code mode} on a fresh broker and job, and returns the results row. */
    public JsonObject run(DeliveryGuarantee mode) throws Exception {
        String delivery = mode.name().toLowerCase(Locale.ROOT);
        String variant = settings.refreshBeside() ? delivery + "-refresh-training" : delivery;
        log.println("== streaming, " + variant + ": " + dataset.name() + ", model " + model);
        Map<String, String> jobOptions = JobOptions.withDelivery(settings.jobOptions(), mode);
        Path checkpoints = Files.createTempDirectory("setrec-bench-checkpoints");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             EmbeddedJob job = EmbeddedJob.start("setrec-bench-" + variant, kafka.bootstrapServers(), jobOptions,
                     model, checkpoints);
             RecommendationArrivals arrivals = RecommendationArrivals.start(kafka.bootstrapServers(),
                     job.options().get(JobOptions.RECOMMENDATIONS_TOPIC));
             RefreshBeside refresh = settings.refreshBeside()
                     ? RefreshBeside.start(kafka.bootstrapServers(), model, jobOptions) : null) {
            Phases phases = new Phases(kafka.bootstrapServers(), job.options(), arrivals);
            int warmUp = settings.warmUpEvents();
            phases.replay("warm-up", 0, warmUp, settings.offeredPerSecond());
            if (refresh != null) {
                log.println("waiting for a refresh to train beside the job");
                refresh.report().awaitTraining(REFRESH_STARTS);
            }
            List<Arrival> flatOut = phases.replay("throughput", warmUp, settings.throughputEvents(), 0);
            int latencyFrom = warmUp + settings.throughputEvents();
            List<Arrival> atLoad;
            JsonObject beside = new JsonObject(); // whether a refresh trained during the latency phase
            try (RefreshReport.Sampling sampling = refresh == null ? null : refresh.report().sample()) {
                atLoad = phases.replay("latency", latencyFrom, settings.latencyEvents(), settings.offeredPerSecond());
                if (sampling != null) {
                    beside.addProperty("refresh_training_share", round(sampling.trainingShare(), 3));
                    beside.addProperty("refreshes_ended", sampling.refreshesEnded());
                }
            }
            JsonObject metrics = metrics(flatOut, atLoad, phases.onboardNewItems(), job.checkpointInterval());
            beside.entrySet().forEach(figure -> metrics.add(figure.getKey(), figure.getValue()));
            log.println(summary(variant, metrics));
            return row(variant, delivery, metrics);
        } finally {
            FileUtils.deleteDirectory(checkpoints.toFile());
        }
    }

    /** The phases of one mode, against one broker and job. */
    private final class Phases {
        private final String bootstrapServers;
        private final Configuration options;
        private final RecommendationArrivals arrivals;

        Phases(String bootstrapServers, Configuration options, RecommendationArrivals arrivals) {
            this.bootstrapServers = bootstrapServers;
            this.options = options;
            this.arrivals = arrivals;
        }

        /**
         * Replays {@code count} events of the plan from {@code from} on at {@code perSecond} (0: flat out) and
         * waits for their recommendations, with a progress line.
         */
        List<Arrival> replay(String phase, int from, int count, double perSecond) throws Exception {
            int first = arrivals.count();
            Replayer.Settings replay = new Replayer.Settings(options.get(JobOptions.ITEMS_TOPIC),
                    options.get(JobOptions.INTERACTIONS_TOPIC), perSecond, 0);
            log.println(phase + ": " + count + " events " + (perSecond > 0 ? "at " + perSecond + "/s" : "flat out"));
            try (Replayer replayer = Replayer.start(Replayer.producer(bootstrapServers), plan.part(from, from + count),
                    replay);
                 Progress progress = new Progress(phase, count, "recs")) {
                int seen = 0;
                long lastNews = System.nanoTime();
                while (seen < count) {
                    Thread.sleep(LOOK_EVERY_MILLIS);
                    if (replayer.failure().isPresent()) {
                        throw new IllegalStateException(phase + ": the replay failed", replayer.failure().get());
                    }
                    int now = Math.min(count, arrivals.count() - first);
                    if (now > seen) {
                        progress.advance(now - seen);
                        seen = now;
                        lastNews = System.nanoTime();
                    } else if (System.nanoTime() - lastNews > STALL_TIMEOUT.toNanos()) {
                        throw new IllegalStateException(phase + ": no recommendation for "
                                + STALL_TIMEOUT.toSeconds() + " s, " + seen + " of " + count
                                + " arrived (did the job fail? its log is above)");
                    }
                }
            }
            return arrivals.range(first, first + count);
        }

        /** Milliseconds until each new item was recommendable, one item after the other. */
        long[] onboardNewItems() throws Exception {
            List<ReplayPlan.HeldBackItem> items = newItems();
            long[] millis = new long[items.size()];
            try (ItemOnboardingProbe probe = new ItemOnboardingProbe(bootstrapServers,
                    options.get(JobOptions.ITEMS_TOPIC), options.get(JobOptions.INTERACTIONS_TOPIC), arrivals)) {
                for (int i = 0; i < millis.length; i++) {
                    ReplayPlan.HeldBackItem item = items.get(i);
                    millis[i] = probe.millisUntilRecommendable(item, "bench-probe-" + item.itemId());
                    log.println("onboarding: item " + item.itemId() + " recommendable after " + millis[i] + " ms");
                }
            }
            return millis;
        }
    }

    /**
     * Items the model has never seen: ids of its own, with the text of the plan's held-back cold items (the cold
     * items themselves are in the served model's catalogue, which the replayed events need).
     */
    private List<ReplayPlan.HeldBackItem> newItems() {
        return plan.heldBackItems().stream()
                .map(cold -> new ReplayPlan.HeldBackItem("new-" + cold.itemId(), cold.title(), cold.categories(),
                        cold.brand(), cold.description()))
                .toList();
    }

    private JsonObject metrics(List<Arrival> flatOut, List<Arrival> atLoad, long[] onboarding,
                               Duration checkpointInterval) {
        long[] latency = percentiles(atLoad.stream().mapToLong(Arrival::latencyMillis).toArray(), 0.50, 0.99);
        long[] inJob = percentiles(atLoad.stream().mapToLong(Arrival::inJobMillis).toArray(), 0.50, 0.99);
        long[] onboard = percentiles(onboarding, 0.50, 1.0);
        JsonObject m = new JsonObject();
        m.addProperty("events_per_s", round(sustainedPerSecond(flatOut, arrival -> true), 1));
        m.addProperty("model_events_per_s", round(sustainedPerSecond(flatOut, arrival -> !arrival.fallback()), 1));
        m.addProperty("p50_ms", latency[0]);
        m.addProperty("p99_ms", latency[1]);
        m.addProperty("p50_in_job_ms", inJob[0]);
        m.addProperty("p99_in_job_ms", inJob[1]);
        m.addProperty("item_onboard_ms", onboard[0]);
        m.addProperty("item_onboard_max_ms", onboard[1]);
        m.addProperty("offered_per_s", round(offeredPerSecond(atLoad), 1));
        m.addProperty("fallback_share", round(fallbackShare(atLoad), 4));
        m.addProperty("throughput_fallback_share", round(fallbackShare(flatOut), 4));
        m.addProperty("throughput_events", flatOut.size());
        m.addProperty("latency_events", atLoad.size());
        m.addProperty("new_items", onboarding.length);
        m.addProperty("checkpoint_interval_ms", checkpointInterval.toMillis());
        return m;
    }

    /**
     * Recommendations per second between the arrival of the 10% and of the 90% quantile recommendation: the first
     * ones arrive while the job ramps up (sources catching up, batches filling) and the last ones while it drains
     * its queues, so either end would understate what the job sustains. Only those {@code counted} count. With
     * exactly-once delivery they arrive in one burst per committed checkpoint, so the window is exact only to about
     * one checkpoint interval: it needs to span many of them (enough events).
     */
    private static double sustainedPerSecond(List<Arrival> arrivals, Predicate<Arrival> counted) {
        int low = nearestRank(0.10, arrivals.size());
        int high = nearestRank(0.90, arrivals.size());
        long millis = arrivals.get(high).arrivalMillis() - arrivals.get(low).arrivalMillis();
        if (millis <= 0) {
            throw new IllegalStateException("the 10% and the 90% recommendation arrived in the same millisecond: "
                    + "too few events to measure a rate (--events)");
        }
        return arrivals.subList(low, high).stream().filter(counted).count() * 1000.0 / millis;
    }

    /** The load actually offered: events over the span of their Kafka timestamps. */
    private static double offeredPerSecond(List<Arrival> arrivals) {
        long first = arrivals.stream().mapToLong(Arrival::triggerRecordMillis).min().orElseThrow();
        long last = arrivals.stream().mapToLong(Arrival::triggerRecordMillis).max().orElseThrow();
        return (arrivals.size() - 1) * 1000.0 / Math.max(1, last - first);
    }

    private static double fallbackShare(List<Arrival> arrivals) {
        return (double) arrivals.stream().filter(Arrival::fallback).count() / arrivals.size();
    }

    /** Nearest-rank percentiles, as the quickstart's live view computes them. */
    private static long[] percentiles(long[] values, double... quantiles) {
        LatencyWindow window = new LatencyWindow(values.length);
        for (long v : values) {
            window.add(v);
        }
        return window.percentiles(quantiles);
    }

    /** 0-based index of the nearest-rank quantile among {@code n} values. */
    private static int nearestRank(double quantile, int n) {
        return Math.max(0, (int) Math.ceil(quantile * n) - 1);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    /** @param delivery the delivery mode, whose targets the row is held to */
    private JsonObject row(String variant, String delivery, JsonObject metrics) {
        JsonObject row = new JsonObject();
        row.addProperty("benchmark", "streaming");
        row.addProperty("dataset", dataset.name());
        row.addProperty("model", SetRec.TYPE);
        row.addProperty("variant", variant);
        row.add("metrics", metrics);
        row.add("targets", StreamingTargets.check(delivery, settings.offeredPerSecond(), metrics));
        row.addProperty("command", command);
        row.addProperty("machine", Machine.describe());
        row.addProperty("date", LocalDate.now().toString());
        row.addProperty("details", details(delivery, metrics.get("checkpoint_interval_ms").getAsLong()));
        return row;
    }

    private String details(String delivery, long checkpointMillis) {
        String details = String.format(Locale.ROOT, "model %s; in-process Kafka, local Flink with parallelism %d, "
                        + "RocksDB, checkpoints every %d ms; warm-up: %d events at the offered rate; throughput: %d "
                                + "events flat out, rate "
                        + "between the 10%% and the 90%% recommendation; latency: %s events/s for %d s; onboarding: "
                        + "%d new items, a probe interaction every 10 ms (those before the item is onboarded are "
                        + "dead-lettered as unknown items)",
                model.getFileName(), EmbeddedJob.PARALLELISM, checkpointMillis, settings.warmUpEvents(),
                settings.throughputEvents(), settings.offeredPerSecond(), settings.latencySeconds(), NEW_ITEMS);
        if (DeliveryGuarantee.EXACTLY_ONCE.name().toLowerCase(Locale.ROOT).equals(delivery)) {
            details += "; recommendations are read read_committed, so they arrive when the checkpoint that commits "
                    + "their transaction completes: latency and onboarding include that wait";
        }
        return settings.refreshBeside() ? details + "; the refresh job beside it in the same process (a refresh "
                + "every " + RefreshBeside.INTERVAL.toSeconds() + " s where " + RefreshBeside.MIN_EVENTS
                + " events came, on a copy of the "
                + "model, its versions not served), throughput and latency measured once a refresh trains; "
                + "refresh_training_share: the share of the latency phase in which one trained" : details;
    }

    private static String summary(String variant, JsonObject m) {
        return String.format(Locale.ROOT, "%s: %.1f events/s flat out (%.1f by the model, fallback share %.4f); at "
                        + "%.1f events/s "
                        + "p50 %d ms, p99 %d ms (in the job: p50 %d ms, p99 %d ms; fallback share %.4f); new item "
                        + "recommendable after %d ms median, %d ms max",
                variant, m.get("events_per_s").getAsDouble(), m.get("model_events_per_s").getAsDouble(),
                m.get("throughput_fallback_share").getAsDouble(),
                m.get("offered_per_s").getAsDouble(), m.get("p50_ms").getAsLong(), m.get("p99_ms").getAsLong(),
                m.get("p50_in_job_ms").getAsLong(), m.get("p99_in_job_ms").getAsLong(),
                m.get("fallback_share").getAsDouble(), m.get("item_onboard_ms").getAsLong(),
                m.get("item_onboard_max_ms").getAsLong());
    }
}
