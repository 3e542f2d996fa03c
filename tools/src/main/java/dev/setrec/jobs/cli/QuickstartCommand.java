package dev.setrec.jobs.cli;

import dev.setrec.data.DataRoot;
import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.data.GeneratedShop;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.quickstart.ItemTitles;
import dev.setrec.jobs.quickstart.JobHealth;
import dev.setrec.jobs.quickstart.LibraryLog;
import dev.setrec.jobs.quickstart.LiveFigures;
import dev.setrec.jobs.quickstart.LiveView;
import dev.setrec.jobs.quickstart.RefreshOutcomes;
import dev.setrec.jobs.quickstart.Milestones;
import dev.setrec.jobs.quickstart.ReplayLedger;
import dev.setrec.jobs.quickstart.ReplayPlan;
import dev.setrec.jobs.quickstart.ReplayRounds;
import dev.setrec.jobs.quickstart.Replayer;
import dev.setrec.jobs.quickstart.RunDirectory;
import dev.setrec.jobs.quickstart.RunReport;
import dev.setrec.jobs.quickstart.RunTimeline;
import dev.setrec.jobs.quickstart.StatusBoard;
import dev.setrec.jobs.quickstart.StopSignals;
import dev.setrec.models.Training;
import dev.setrec.util.Directories;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default: an in-process Kafka broker, the recommendation job on a local Flink cluster with RocksDB
 * state, the toys model (trained once, quickly, when there is none; a generated shop and its model where there is no
 * data), the held-back interactions replayed as live events, cold items published first, the refresh job
 * ({@link QuickstartRefresh}) promoting fine-tuned versions as they beat the serving one, and a live console view of
 * the job's state, of what comes out and of each refresh's outcome. A job that fails for good ends the command at
 * once with its cause and a non-zero exit status.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the streaming job on the embedded default: in-process Kafka, local Flink, the toys model "
                + "(a generated shop and its model where there is no data).")
final class QuickstartCommand implements Callable<Integer> {
    private static final Duration JOB_CHECK_EVERY = Duration.ofSeconds(1);

    @Option(names = "--data", paramLabel = "DIR", description = "data dir (default: setrec/toys under $SETREC_DATA; "
            + "without it, a generated shop)")
    Path data;
    @Option(names = "--model", paramLabel = "DIR", description = "serve this SETRec model dir instead of the quick one")
    Path model;
    @Option(names = "--rate", defaultValue = "200", description = "replayed events per second, 0 = as fast as "
            + "possible (default ${DEFAULT-VALUE})")
    double rate;
    @Option(names = "--cold-items", defaultValue = "20", description = "cold items the model does not know until "
            + "their item event (default ${DEFAULT-VALUE})")
    int coldItems;
    @Option(names = "--bad-every", defaultValue = "500", description = "send a broken message every N events, 0 = "
            + "never (default ${DEFAULT-VALUE})")
    int badEvery;
    @Option(names = "--seed-histories", defaultValue = "50", paramLabel = "N",
            description = "first replay each user's last N train interactions flat out, so that live events meet real "
                    + "histories; 0 = start from empty histories (default ${DEFAULT-VALUE})")
    int seedHistories;
    @Option(names = "--new-item-slots", defaultValue = "2", paramLabel = "N",
            description = "places of each top k kept for the best new (cold) items, spread through the list; 0 = the "
                    + "model's ranking alone (default ${DEFAULT-VALUE}; the job option "
                    + "setrec.recommend.new-item-slots)")
    int newItemSlots;
    @Option(names = "--exactly-once", description = "Kafka transactions (recommendations then appear per checkpoint)")
    boolean exactlyOnce;
    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
            description = "stop the replay after this many seconds, 0 = when it is done (on first use: after a "
                    + "round served by the quick SETRec trained meanwhile) (default ${DEFAULT-VALUE})")
    long durationSeconds;
    @Option(names = "--no-refresh", description = "do not run the refresh job, which fine-tunes the serving SETRec "
            + "on the newest interactions every 2 min (setrec.refresh.interval) and promotes a better version")
    boolean noRefresh;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a job or Flink option (repeatable)")
    Map<String, String> overrides = new LinkedHashMap<>();

    private final Path home;
    private final Map<String, String> environment;
    private final boolean ownsTheProcess;
    private LiveFigures.Snapshot summary;

    QuickstartCommand() {
        this(Path.of(System.getProperty("setrec.home", ".")), System.getenv(), true);
    }

    /**
     * @param home where the quick models are kept (under models/) and each run's report and logs (under runs/)
     * @param environment where SETREC_DATA is read
     * @param ownsTheProcess whether the run may take the process's stderr and signals (the launcher's JVM), or shares
     *                       its JVM and leaves them alone (a test)
     */
    QuickstartCommand(Path home, Map<String, String> environment, boolean ownsTheProcess) {
        this.home = home;
        this.environment = environment;
        this.ownsTheProcess = ownsTheProcess;
    }

    @Override
    public Integer call() throws Exception {
        Instant runStarted = Instant.now();
        Path run = RunDirectory.of(home, runStarted);
        if (ownsTheProcess) {
            Path libraryLog = run.resolve("libraries.log");
            LibraryLog.routeTo(libraryLog);
            System.out.println("library logs: " + libraryLog);
        }
        Optional<Path> dataDir = DataRoot.findDataSet(data, DataRoot.TOYS, environment);
        Dataset dataset = dataDir.isPresent() ? DatasetReader.read(dataDir.get()) : generatedShop();
        System.out.println("data: " + Training.describe(dataset));
        ReplayPlan live = ReplayPlan.of(dataset, 42, coldItems);
        ReplayPlan plan = seedHistories > 0 ? live.withSeedHistories(dataset, seedHistories) : live;

        Path work = Files.createTempDirectory("setrec-quickstart");
        CountDownLatch stopped = new CountDownLatch(1);
        try (QuickstartModel served = QuickstartModel.start(model, home, dataset,
                dataDir.orElse(null), QuickModel.Budget.defaultFor(dataDir.isEmpty()), plan.heldBackItemIds(), work);
             EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Path serving = served.folder();
            Map<String, String> withSlots = new LinkedHashMap<>();
            withSlots.put(JobOptions.NEW_ITEM_SLOTS.key(), Integer.toString(newItemSlots));
            withSlots.putAll(overrides); // --set wins
            Map<String, String> flags = exactlyOnce
                    ? JobOptions.withDelivery(withSlots, DeliveryGuarantee.EXACTLY_ONCE) : withSlots;
            EmbeddedJob job = EmbeddedJob.start("setrec-quickstart", kafka.bootstrapServers(), flags, serving,
                    work.resolve("checkpoints"));
            Configuration options = job.options();
            System.out.println("job running: Kafka " + kafka.bootstrapServers() + ", Flink local (parallelism "
                    + EmbeddedJob.PARALLELISM + ", RocksDB), " + options.get(JobOptions.DELIVERY) + "; replaying "
                    + "" + plan.events().size()
                    + " interactions at " + (rate > 0 ? rate + "/s" : "full speed") + ", " + plan.heldBackItems().size()
                    + " cold items onboarded first, " + options.get(JobOptions.NEW_ITEM_SLOTS) + " new-item slots "
                    + "in each top "
                    + options.get(JobOptions.TOP_K) + (plan.seedEvents().isEmpty() ? "" : ", histories seeded with "
                    + plan.seedEvents().size() + " train interactions before") + ". Ctrl-C stops.");
            ReplayLedger ledger = new ReplayLedger(plan.events().size());
            LiveFigures figures = new LiveFigures(ledger, plan.heldBackItemIds(), LiveFigures.DEFAULT_LATENCY_WINDOW);
            StatusBoard board = StatusBoard.forConsole(System.out, ItemTitles.of(dataset));
            board.showTraining(served::progress);
            QuickstartRefresh refresh = noRefresh ? null : new QuickstartRefresh(kafka.bootstrapServers(), flags,
                    options, serving, run.resolve("refresh.log"), work.resolve("checkpoints-refresh"),
                    board::announce);
            RefreshOutcomes refreshes = new RefreshOutcomes(served::modelNames,
                    refresh == null ? "off (--no-refresh)" : refresh.schedule());
            board.showVersions(refreshes);
            board.sayMilestones(Milestones.of(runStarted.toEpochMilli(), environment));
            Replayer replayer = Replayer.start(Replayer.producer(kafka.bootstrapServers()), plan,
                    Replayer.Settings.defaults().withEventsPerSecond(rate).withBadEvery(badEvery), ledger,
                    rounds(served, figures, plan, board));
            RunTimeline timeline = RunTimeline.start(figures);
            LiveView view = LiveView.start(kafka.bootstrapServers(), options.get(JobOptions.RECOMMENDATIONS_TOPIC),
                    options.get(JobOptions.DEAD_LETTERS_TOPIC), figures, board, job::health,
                    refresh == null ? null : options.get(JobOptions.MODEL_VERSIONS_TOPIC), refreshes);
            Thread onShutdown = new Thread(() -> {
                replayer.close();
                awaitQuietly(stopped);
            });
            Runtime.getRuntime().addShutdownHook(onShutdown);
            StopSignals stop = ownsTheProcess ? StopSignals.install(System.out) : StopSignals.none();
            JobHealth end;
            long started = System.nanoTime();
            try {
                while (!replayer.awaitDone(JOB_CHECK_EVERY) && !job.health().state().ended()
                        && !durationOver(started) && !stop.requested()) {
                    // the replay goes on while the job runs or recovers, for --duration at most, until Ctrl-C
                    if (refresh != null) {
                        refresh.check(served.settled());
                    }
                }
                replayer.close();
                replayer.failure().ifPresent(e -> System.out.println("replay stopped: " + e));
                if (!stop.requested()) {
                    awaitLastRecommendations(figures, job);
                }
            } finally {
                // the run ends, its training too, asked first: a training niced on a busy machine is slow to end
                served.stopTraining();
                view.close();
                summary = view.summary(); // the figures the console printed
                writeReport(run, timeline, new RunReport.Run(Training.describe(dataset), refreshes.modelNames(),
                        refreshes.outcomes()));
                replayer.close();
                end = job.health(); // before closing cancels it
                job.close();
                if (refresh != null) {
                    refresh.close();
                }
                served.close(); // its training's process ended before Ctrl-C's hook lets the JVM exit
                stopped.countDown();
            }
            if (end.state().ended()) {
                System.err.println("error: " + end.endedBecause());
                return JobCommand.JOB_ENDED;
            }
        } finally {
            Directories.deleteTree(work);
        }
        return 0;
    }

    /**
     * One pass where SETRec serves from the start; while the quick model trains, rounds until it took over and its
     * refit on train + valid was added too, and one more, so that the run shows SETRec serving (the refit swapped in)
     * and the models' online Recall@10.
     */
    private ReplayRounds rounds(QuickstartModel served, LiveFigures figures, ReplayPlan plan, StatusBoard board) {
        if (!served.trainsInTheBackground()) {
            return ReplayRounds.once();
        }
        ReplayRounds.Takeover takeover = new ReplayRounds.Takeover(
                () -> figures.aModelServes() && !served.stillTraining(), served::underWay,
                () -> served.progress().orElse("trained, being swapped in"));
        return ReplayRounds.untilTakeover(takeover, rate, plan.events().size(), board::announce);
    }

    private boolean durationOver(long startedNanos) {
        return durationSeconds > 0 && System.nanoTime() - startedNanos >= TimeUnit.SECONDS.toNanos(durationSeconds);
    }

    /** The final figures of the last run; null before its end. */
    LiveFigures.Snapshot summary() {
        return summary;
    }

    /**
     * The run's HTML report, in the run's folder under the home, named on the console. Written before the job is
     * closed, so that a stop by Ctrl-C has it too; a report that cannot be written is said, and the run goes on
     * ending as it would.
     */
    private void writeReport(Path run, RunTimeline timeline, RunReport.Run what) {
        Path file = run.resolve("report.html");
        try {
            RunReport.write(file, what, timeline, summary, System.currentTimeMillis());
            System.out.println("report: " + file);
        } catch (IOException | RuntimeException e) {
            System.out.println("report not written: " + e);
        }
    }

    /** Data to run on where the user has none at hand, and how to run on theirs. */
    private static Dataset generatedShop() {
        System.out.println("no data set given or found: running on a generated toy shop. For real data give --data "
                + "DIR, or set " + DataRoot.ENV + " to the folder holding " + DataRoot.TOYS + " (docs/data.md).");
        return GeneratedShop.generate();
    }

    /**
     * Waits until no new recommendation arrived for two seconds (the last events are still being scored), or the
     * job ended.
     */
    private static void awaitLastRecommendations(LiveFigures figures, EmbeddedJob job) throws InterruptedException {
        long last = -1;
        while (!job.health().state().ended()) {
            long now = figures.snapshot(System.currentTimeMillis()).recommendations();
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(2_000);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
