package dev.setrec.cluster;

import dev.setrec.cluster.InteractionFeed.Sent;
import dev.setrec.cluster.InteractionFeed.Walk;
import dev.setrec.cluster.RecommendationLog.Answers;
import dev.setrec.cluster.harness.Await;
import dev.setrec.cluster.harness.ChildProcesses;
import dev.setrec.cluster.harness.FlinkCluster;
import dev.setrec.cluster.harness.Jcmd;
import dev.setrec.cluster.harness.KafkaBroker;
import dev.setrec.cluster.harness.Log4jConfig;
import dev.setrec.cluster.harness.Progress;
import dev.setrec.cluster.harness.ZooKeeperServer;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.SmallModel.Theme;
import dev.setrec.jobs.JobOptions;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import dev.setrec.util.Directories;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a real Flink cluster, as an operator runs it: a standalone session cluster of separate JVMs (a job
 * manager with ZooKeeper high availability, three task managers with two slots each, RocksDB with incremental
 * checkpoints, fixed-delay restarts), a Kafka broker and a ZooKeeper server in JVMs of their own, the job jar
 * submitted with Flink's CLI, an outside producer and consumers that count the answers event by event. Each
 * scenario runs its own job(s) on their own topics; the scoring mode is the subclass's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Progress.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES) // each scenario: a guard against a hang, not a speed check
abstract class ClusterScenarios {
    /** Two jobs of parallelism 2 fill two task managers' slots; the third is the standby. */
    private static final int TASK_MANAGERS = 3;
    private static final int SLOTS = 2;
    private static final int PARALLELISM = 2;
    /** The parallelism of scenario (c)'s resubmission: each user's history moves to another subtask. */
    private static final int RESCALED_PARALLELISM = 3;
    /** Events a second from the outside producer, the load of the measurements. */
    private static final int RATE = 20;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Duration ON_TIME = Duration.ofSeconds(1);
    /** Submissions of the task-manager-loss scenario's second job until a task manager runs both jobs. */
    private static final int PLACEMENT_ATTEMPTS = 5;
    /**
     * k over the whole catalogue and an onboarded item: with exclude-seen on, a recommendation then lists exactly
     * the items outside the user's history, so it shows what history the job holds for the user.
     */
    private static final int K = SmallModel.CATALOGUE_SIZE + 2;

    private final ScoringMode mode;
    private Path dir;
    private Builds builds;
    private ZooKeeperServer zookeeper;
    private KafkaBroker kafka;
    private FlinkCluster flink;
    private Figures figures;

    ClusterScenarios(ScoringMode mode) {
        this.mode = mode;
    }

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // training the small model takes about 30 s on 2 idle cores
    void startCluster() throws Exception {
        builds = Builds.fromSystemProperties();
        dir = builds.work().resolve(mode.name());
        Directories.deleteTree(dir);
        Files.createDirectories(dir);
        figures = new Figures(dir.resolve("figures.txt"), dir.resolve("metrics.properties"), mode.name());
        Path logs = dir.resolve("logs");
        Log4jConfig logging = Log4jConfig.write(dir.resolve("log4j2.properties"));
        String scenarios = getClass().getSimpleName();
        Progress.step(scenarios, "training the small model");
        SmallModel model = SmallModel.get();
        Progress.step(scenarios, "starting " + mode.name() + " scoring");
        mode.start(model, dir);
        Progress.step(scenarios, "starting ZooKeeper and Kafka");
        zookeeper = ZooKeeperServer.start(builds.zookeeperLib(), dir.resolve("zookeeper"), logging, logs);
        kafka = KafkaBroker.start(builds.kafkaLib(), dir.resolve("kafka"), logging, logs);
        Map<String, String> config = clusterConfig();
        config.putAll(mode.clusterConfig());
        List<String> jvmOptions = new ArrayList<>(builds.jvmFlags());
        jvmOptions.addAll(mode.jvmOptions());
        // the JVM clears soft references before it runs out of memory anyway (JDK 17's serialization caches hold an
        // ended job's classes through them); clearing them at every collection shows what is really kept
        jvmOptions.add("-XX:SoftRefLRUPolicyMSPerMB=0");
        // more flags for every process of the cluster, for looking into one (e.g. -Xlog:class+unload)
        jvmOptions.addAll(List.of(System.getProperty("setrec.cluster.jvm-options", "").split(" ")).stream()
                .filter(flag -> !flag.isBlank()).toList());
        flink = FlinkCluster.create(new FlinkCluster.Setup(List.of(builds.flinkLib()), mode.taskManagerLib(builds),
                config, jvmOptions), dir.resolve("flink"), logging, logs);
        Progress.step(scenarios, "starting the Flink cluster (logs in " + logs + ")");
        flink.startJobManager();
        flink.ensureTaskManagers(TASK_MANAGERS);
        Progress.step(scenarios, "cluster up");
    }

    /** The cluster as docs/cluster.md configures one, with the test's folders and ZooKeeper. */
    private Map<String, String> clusterConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("taskmanager.numberOfTaskSlots", Integer.toString(SLOTS));
        config.put("parallelism.default", Integer.toString(PARALLELISM));
        // spread each job's slots over the task managers, so that one task manager's loss hits every job
        config.put("taskmanager.load-balance.mode", "SLOTS");
        config.put("jobmanager.memory.process.size", "1024m");
        config.put("state.backend.type", "rocksdb");
        config.put("execution.checkpointing.incremental", "true");
        config.put("execution.checkpointing.interval", "2s");
        config.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        config.put("restart-strategy.type", "fixed-delay");
        config.put("restart-strategy.fixed-delay.attempts", "20");
        config.put("restart-strategy.fixed-delay.delay", "1s");
        // a killed process is noticed after two missed heartbeats (Flink's defaults: 10 s apart, 50 s timeout)
        config.put("heartbeat.interval", "1000");
        config.put("heartbeat.timeout", "10000");
        config.put("high-availability.type", "zookeeper");
        config.put("high-availability.zookeeper.quorum", zookeeper.connectString());
        config.put("high-availability.storageDir", dir.resolve("flink/ha").toUri().toString());
        config.put("high-availability.cluster-id", "/setrec-" + mode.name());
        // a new job manager takes over once the dead one's ZooKeeper session has expired
        config.put("high-availability.zookeeper.client.session-timeout", "5000");
        config.put("zookeeper.sasl.disable", "true");
        config.put("execution.buffer-timeout.interval", "5ms");
        return config;
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void stopCluster() throws Exception {
        try (ScoringMode scoring = mode) {
            if (flink != null) {
                flink.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (zookeeper != null) {
                zookeeper.close();
            }
        } finally {
            ChildProcesses.killAll();
        }
    }

    /**
     * After every scenario whose jobs all ended: the job manager and every task manager let go of the jobs' class
     * loaders (task managers outlive many jobs, so a job kept is kept for good). Checked after each scenario, so
     * that a failure names the scenario whose jobs are kept.
     */
    @AfterEach
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyProcessLetsGoOfTheEndedJobs(TestInfo scenario) {
        if (flink == null || !flink.jobManager().isAlive() || !flink.rest().unendedJobs().isEmpty()) {
            return; // a scenario that failed may leave its job running: its own failure says so
        }
        String after = scenario.getTestMethod().map(Method::getName).orElse(scenario.getDisplayName());
        LoaderRelease.await(new Jcmd(flink.jobManager().pid()), "the job manager", after, dir);
        for (String tm : flink.liveTaskManagers()) {
            LoaderRelease.await(new Jcmd(flink.taskManager(tm).pid()), tm, after, dir);
        }
    }

    // ---- (b) stop-with-savepoint and resubmit

    @Test
    @Order(1)
    void stopWithSavepointAndResubmitKeepsHistoriesAndOnboardedItemsWithoutATaskFailure() throws Exception {
        upgradeKeepsHistoriesAndOnboardedItems("upgrade", PARALLELISM);
    }

    /**
     * Stops the job with a savepoint and resubmits it from there at {@code parallelism}: the probe's history and the
     * item onboarded before must be in the new job, no task may fail, and every event is answered exactly once.
     */
    private void upgradeKeepsHistoriesAndOnboardedItems(String name, int parallelism) throws Exception {
        flink.ensureTaskManagers(TASK_MANAGERS);
        ScenarioJob job = job(name, DeliveryGuarantee.EXACTLY_ONCE);
        Theme theme = Theme.OCEAN;
        String probe = "upgrade-probe";
        String newItem = "ocean-snorkel-set";
        try (InteractionFeed feed = new InteractionFeed(kafka.bootstrapServers(),
                List.of(job.topic(JobOptions.INTERACTIONS_TOPIC)));
             RecommendationLog answers = job.recommendations("read_committed")) {
            String first = job.submit(null);
            List<String> history = SmallModel.warmItems(theme).subList(0, 3);
            for (String item : history) {
                feed.send(probe, item);
            }
            feed.publishItem(job.topic(JobOptions.ITEMS_TOPIC), ItemEvent.newBuilder().setItemId(newItem)
                    .setTitle(theme.title("snorkel set")).setCategories(theme.categories()).setBrand(theme.brand())
                    .setEventTime(Instant.now()).build());
            awaitOnboarded(feed, answers, newItem, theme);
            feed.start(walks(), RATE);
            Await.sleep(Duration.ofSeconds(5));

            String savepoint = flink.stopWithSavepoint(first);
            assertEquals("FINISHED", flink.rest().jobState(first), "stop-with-savepoint ends the job");
            Await.sleep(Duration.ofSeconds(2)); // events keep coming while no job runs
            String second = job.submit(savepoint, OptionalInt.of(parallelism));
            assertEquals(parallelism, flink.rest().parallelism(second), "the resubmitted job's parallelism");
            Await.sleep(Duration.ofSeconds(5));
            feed.stop();

            long probeEvent = feed.send(probe, SmallModel.warmItems(theme).get(3));
            awaitAnswered(answers, feed.sent().keySet(), "every event across the upgrade");
            Recommendation afterUpgrade = answers.answers(probeEvent).orElseThrow().recommendations().get(0);
            assertFalse(afterUpgrade.getFallback(), "scored by the model after the upgrade: " + afterUpgrade);
            Set<String> expected = catalogue();
            expected.add(newItem);
            history.forEach(expected::remove);
            expected.remove(SmallModel.warmItems(theme).get(3));
            assertEquals(expected, itemIds(afterUpgrade),
                    "the upgraded job knows the probe's history (left out) and the onboarded item (ranked)");

            Await.sleep(Duration.ofSeconds(5)); // transactions still open would show duplicates after this
            Tally tally = Tally.of(feed.sent(), answers.all());
            figures.report(name + ", parallelism " + PARALLELISM + " -> " + parallelism + ": " + tally);
            countExactlyOnce(tally);
            assertTrue(tally.lost().isEmpty() && tally.duplicates() == 0 && tally.unknown().isEmpty(),
                    "exactly once across stop-with-savepoint and resubmit: " + tally);
            assertEquals(List.of(), flink.rest().failures(first), "task failures of the job before the upgrade");
            assertEquals(List.of(), flink.rest().failures(second), "task failures of the upgraded job");
            figures.memory(flink, "after the " + name);
            flink.cancel(second);
        }
    }

    // ---- (a) task-manager loss

    @Test
    @Order(2)
    void aTaskManagerKilledMidStreamLosesNoEventAndExactlyOnceDuplicatesNone() throws Exception {
        flink.ensureTaskManagers(TASK_MANAGERS);
        ScenarioJob exactlyOnce = job("tm-loss-eo", DeliveryGuarantee.EXACTLY_ONCE);
        ScenarioJob atLeastOnce = job("tm-loss-alo", DeliveryGuarantee.AT_LEAST_ONCE);
        try (InteractionFeed feed = new InteractionFeed(kafka.bootstrapServers(),
                List.of(exactlyOnce.topic(JobOptions.INTERACTIONS_TOPIC),
                        atLeastOnce.topic(JobOptions.INTERACTIONS_TOPIC)));
             RecommendationLog committed = exactlyOnce.recommendations("read_committed");
             RecommendationLog all = atLeastOnce.recommendations("read_uncommitted")) {
            String eo = exactlyOnce.submit(null);
            String alo = atLeastOnce.submit(null);
            Set<String> victims = sharedTaskManagers(eo, alo);
            for (int attempt = 1; victims.isEmpty() && attempt < PLACEMENT_ATTEMPTS; attempt++) {
                flink.cancel(alo); // nothing sent yet: a fresh start loses nothing
                alo = atLeastOnce.submit(null);
                victims = sharedTaskManagers(eo, alo);
            }
            assertFalse(victims.isEmpty(), "no task manager runs both jobs after " + PLACEMENT_ATTEMPTS + " tries");
            String victim = victims.iterator().next();
            feed.start(walks(), RATE);
            Await.sleep(Duration.ofSeconds(10));

            long killedAt = System.currentTimeMillis();
            flink.taskManager(victim).killHard();
            Await.sleep(Duration.ofSeconds(25));
            feed.stop();
            Set<Long> events = feed.sent().keySet();
            awaitAnswered(committed, events, "every event answered exactly once after " + victim + " died");
            awaitAnswered(all, events, "every event answered at least once after " + victim + " died");
            Await.sleep(Duration.ofSeconds(5));

            Tally eoTally = Tally.of(feed.sent(), committed.all());
            Tally aloTally = Tally.of(feed.sent(), all.all());
            Recovery recovery = Recovery.after(killedAt, feed.sent(), all.all(), ON_TIME);
            RecoveryTimeline timeline = RecoveryTimeline.of(flink.rest(), flink.jobManagerLogs(), alo, killedAt);
            figures.report("kill -9 of " + victim + ": exactly-once " + eoTally + "; at-least-once " + aloTally);
            figures.report("kill -9 of " + victim + ", at-least-once job: " + recovery + "; " + timeline);
            figures.metric("recovery_s", recovery.recoverySeconds());
            figures.metric("recovery_no_answer_s", recovery.outageSeconds());
            timeline.metrics().forEach(figures::metric);
            countExactlyOnce(eoTally);
            figures.add("events_lost", aloTally.lost().size());
            figures.report("kill -9 of " + victim + ", exactly-once job: "
                    + RecoveryTimeline.of(flink.rest(), flink.jobManagerLogs(), eo, killedAt));
            figures.memory(flink, "after the task-manager kill");
            assertTrue(eoTally.lost().isEmpty() && eoTally.duplicates() == 0 && eoTally.unknown().isEmpty(),
                    "exactly-once: " + eoTally);
            assertTrue(aloTally.lost().isEmpty() && aloTally.unknown().isEmpty(), "at-least-once: " + aloTally);
            assertEquals("RUNNING", flink.rest().jobState(eo));
            assertEquals("RUNNING", flink.rest().jobState(alo));
            flink.cancel(eo);
            flink.cancel(alo);
        }
    }

    // ---- (e) job-manager loss

    @Test
    @Order(3)
    void aNewJobManagerTakesTheJobOverFromTheLatestCheckpointAfterAKill9() throws Exception {
        flink.ensureTaskManagers(TASK_MANAGERS);
        ScenarioJob exactlyOnce = job("jm-loss-eo", DeliveryGuarantee.EXACTLY_ONCE);
        ScenarioJob atLeastOnce = job("jm-loss-alo", DeliveryGuarantee.AT_LEAST_ONCE);
        try (InteractionFeed feed = new InteractionFeed(kafka.bootstrapServers(),
                List.of(exactlyOnce.topic(JobOptions.INTERACTIONS_TOPIC),
                        atLeastOnce.topic(JobOptions.INTERACTIONS_TOPIC)));
             RecommendationLog committed = exactlyOnce.recommendations("read_committed");
             RecommendationLog all = atLeastOnce.recommendations("read_uncommitted")) {
            String eo = exactlyOnce.submit(null);
            String alo = atLeastOnce.submit(null);
            feed.start(walks(), RATE);
            long checkpoint = Await.value(WAIT, "a completed checkpoint", () -> flink.rest().latestCheckpoint(eo));

            long killedAt = System.currentTimeMillis();
            flink.jobManager().killHard();
            flink.startJobManager();
            long newJobManagerAt = System.currentTimeMillis();
            for (String id : List.of(eo, alo)) {
                Await.until(WAIT, "job " + id + " running under the new job manager",
                        () -> flink.rest().allTasksRunning(id));
            }
            long restored = flink.rest().restoredCheckpoint(eo).orElseThrow(() ->
                    new AssertionError("the new job manager did not restore job " + eo + " from a checkpoint"));
            assertTrue(restored >= checkpoint, "restored checkpoint " + restored + ", completed before the kill: "
                    + checkpoint);
            Await.sleep(Duration.ofSeconds(10));
            feed.stop();
            Set<Long> events = feed.sent().keySet();
            awaitAnswered(committed, events, "every event answered exactly once after the job manager's loss");
            awaitAnswered(all, events, "every event answered at least once after the job manager's loss");
            Await.sleep(Duration.ofSeconds(5));

            Tally eoTally = Tally.of(feed.sent(), committed.all());
            Tally aloTally = Tally.of(feed.sent(), all.all());
            figures.report("kill -9 of the job manager: exactly-once " + eoTally + " (restored checkpoint "
                    + restored + "); at-least-once " + aloTally);
            Recovery recovery = Recovery.after(killedAt, feed.sent(), all.all(), ON_TIME);
            figures.report(String.format(Locale.ROOT, "kill -9 of the job manager, at-least-once job: new job "
                            + "manager's REST up after %.1f s; %s; %s", (newJobManagerAt - killedAt) / 1000.0,
                    recovery, RecoveryTimeline.of(flink.rest(), flink.jobManagerLogs(), alo, killedAt)));
            figures.metric("recovery_job_manager_s", recovery.recoverySeconds());
            countExactlyOnce(eoTally);
            figures.add("events_lost", aloTally.lost().size());
            figures.memory(flink, "after the job-manager kill");
            assertTrue(eoTally.lost().isEmpty() && eoTally.duplicates() == 0 && eoTally.unknown().isEmpty(),
                    "exactly-once: " + eoTally);
            assertTrue(aloTally.lost().isEmpty() && aloTally.unknown().isEmpty(), "at-least-once: " + aloTally);
            flink.cancel(eo);
            flink.cancel(alo);
        }
    }

    // ---- (c) stop-with-savepoint and resubmit at another parallelism

    @Test
    @Order(4)
    void resubmittedAtAnotherParallelismTheJobKeepsHistoriesAndOnboardedItemsWithoutATaskFailure() throws Exception {
        upgradeKeepsHistoriesAndOnboardedItems("rescale", RESCALED_PARALLELISM);
    }

    // ---- (f) model-server loss (remote scoring)

    /**
     * The model server killed mid-stream ({@code kill -9}) and started again a while later: while it is down every
     * event is answered with a recommendation marked as the fallback, the job never restarts, scoring by the model
     * resumes once the server is back, and no event is lost or answered twice.
     */
    @Test
    @Order(5)
    void theModelServerKilledMidStreamCostsMarkedFallbacksButNoRestartAndNoEvent() throws Exception {
        Assumptions.assumeTrue(mode instanceof RemoteScoring, "the model server is remote scoring's");
        ModelServerProcess server = ((RemoteScoring) mode).server();
        flink.ensureTaskManagers(TASK_MANAGERS);
        ScenarioJob job = job("server-loss", DeliveryGuarantee.EXACTLY_ONCE);
        try (InteractionFeed feed = new InteractionFeed(kafka.bootstrapServers(),
                List.of(job.topic(JobOptions.INTERACTIONS_TOPIC)));
             RecommendationLog committed = job.recommendations("read_committed")) {
            String id = job.submit(null);
            feed.start(walks(), RATE);
            Await.sleep(Duration.ofSeconds(10));

            server.killHard();
            long downFrom = System.currentTimeMillis();
            Await.sleep(Duration.ofSeconds(10));
            long downUntil = System.currentTimeMillis();
            server.start();
            long backAt = System.currentTimeMillis();
            long scoredAgainAt = Await.value(WAIT, "a recommendation by the model after the server's restart",
                    () -> firstScoredAfter(backAt, feed.sent(), committed.all()));
            Await.sleep(Duration.ofSeconds(5));
            feed.stop();
            awaitAnswered(committed, feed.sent().keySet(), "every event across the model server's loss");
            Await.sleep(Duration.ofSeconds(5));

            Tally tally = Tally.of(feed.sent(), committed.all());
            List<Recommendation> whileDown = answersToEventsSent(downFrom, downUntil, feed.sent(), committed.all());
            long fallbacks = whileDown.stream().filter(Recommendation::getFallback).count();
            figures.report(String.format(Locale.ROOT, "model server killed for %.1f s: %s; %d of %d answers to "
                            + "events sent while it was down marked as fallbacks; scored by the model again %.1f s "
                            + "after it was ready", (backAt - downFrom) / 1000.0, tally, fallbacks, whileDown.size(),
                    (scoredAgainAt - backAt) / 1000.0));
            figures.metric("model_server_scoring_again_s", (scoredAgainAt - backAt) / 1000.0);
            countExactlyOnce(tally);
            assertTrue(tally.lost().isEmpty() && tally.duplicates() == 0 && tally.unknown().isEmpty(),
                    "exactly-once: " + tally);
            assertFalse(whileDown.isEmpty(), "events sent while the server was down");
            assertEquals(whileDown.size(), fallbacks, "answers while the server was down marked as fallbacks");
            assertEquals(List.of(), flink.rest().failures(id), "task failures while the server was down");
            assertEquals("RUNNING", flink.rest().jobState(id));
            flink.cancel(id);
        }
    }

    // ---- (d) upgrades in a row

    /**
     * Upgrades in a row on the same task managers (stop-with-savepoint, resubmit), as many as the system property
     * setrec.cluster.upgrades says (none by default: CI runs the scenarios above; run it with
     * {@code -Dsetrec.cluster.upgrades=10}). No task may fail, no event may be lost or answered twice, and every task
     * manager must stay within its configured process size; memory and the cluster's tmp folder are reported. The
     * metrics are written after each upgrade, so that a run that breaks off still tells how far it came.
     */
    @Test
    @Order(6)
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void upgradesInARowCostNoTaskFailureAndKeepTaskManagerMemoryWithinItsProcessSize() throws Exception {
        int upgrades = Integer.getInteger("setrec.cluster.upgrades", 0);
        Assumptions.assumeTrue(upgrades > 0, "set -Dsetrec.cluster.upgrades=N to run N upgrades in a row");
        flink.ensureTaskManagers(TASK_MANAGERS);
        long processSizeMb = Long.parseLong(flink.config("taskmanager.memory.process.size").replace("m", ""));
        ScenarioJob job = job("upgrades", DeliveryGuarantee.EXACTLY_ONCE);
        List<String> failures = new ArrayList<>();
        int withoutFailure = 0;
        try (InteractionFeed feed = new InteractionFeed(kafka.bootstrapServers(),
                List.of(job.topic(JobOptions.INTERACTIONS_TOPIC)));
             RecommendationLog committed = job.recommendations("read_committed")) {
            String id = job.submit(null);
            feed.start(walks(), RATE);
            figures.memory(flink, "upgrade 0");
            Map<String, Long> residentBefore = residentMb();
            for (int upgrade = 1; upgrade <= upgrades; upgrade++) {
                Await.sleep(Duration.ofSeconds(5));
                String savepoint = flink.stopWithSavepoint(id);
                List<String> failed = flink.rest().failures(id);
                failures.addAll(failed);
                id = job.submit(savepoint);
                withoutFailure += failed.isEmpty() ? 1 : 0;
                figures.metric("upgrades", upgrade);
                figures.metric("upgrades_without_failure", withoutFailure);
                figures.metric("tm_rss_growth_mb_per_upgrade", residentGrowthPerUpgrade(residentBefore, upgrade));
                figures.memory(flink, "upgrade " + upgrade);
                for (String tm : flink.liveTaskManagers()) {
                    long rss = flink.taskManager(tm).residentMb();
                    assertTrue(rss < processSizeMb, tm + " resident " + rss + " MB after upgrade " + upgrade
                            + ", over its process size of " + processSizeMb + " MB");
                }
            }
            Await.sleep(Duration.ofSeconds(5));
            feed.stop();
            awaitAnswered(committed, feed.sent().keySet(), "every event across " + upgrades + " upgrades");
            Await.sleep(Duration.ofSeconds(5));
            failures.addAll(flink.rest().failures(id));
            Tally tally = Tally.of(feed.sent(), committed.all());
            countExactlyOnce(tally);
            try (var tmp = Files.list(flink.dir().resolve("tmp"))) {
                figures.report(upgrades + " upgrades: " + tally + "; " + failures.size() + " task failures; MiniLM "
                        + "in the cluster's tmp: " + tmp.map(p -> p.getFileName().toString())
                        .filter(n -> n.contains("minilm")).toList());
            }
            assertEquals(List.of(), failures, "task failures over " + upgrades + " upgrades");
            assertTrue(tally.lost().isEmpty() && tally.duplicates() == 0 && tally.unknown().isEmpty(),
                    "exactly-once: " + tally);
            flink.cancel(id);
        }
    }

    // ---- job ends and class loaders

    /**
     * Submissions in a row on the same cluster, ended by turns with stop-with-savepoint and cancel, as many as the
     * system property setrec.cluster.submissions says (3 by default, as CI runs it; bench cluster runs 30; 0 skips):
     * the job manager and every task manager let go of each ended job's classes, no process logs an ERROR, and
     * exactly-once holds across them all.
     */
    @Test
    @Order(10)
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void submissionsInARowLeaveNoClassesOfEndedJobsOnTheJobManagerAndNoErrorInAnyLog() throws Exception {
        int submissions = Integer.getInteger("setrec.cluster.submissions", 3);
        Assumptions.assumeTrue(submissions > 0, "-Dsetrec.cluster.submissions=0 skips the submissions in a row");
        flink.ensureTaskManagers(TASK_MANAGERS);
        new Submissions(flink, figures, dir).run(job("submissions", DeliveryGuarantee.EXACTLY_ONCE),
                submissions, walks(), RATE, kafka.bootstrapServers());
    }

    // ---- helpers

    /** The largest growth of a task manager's resident memory since {@code before}, per upgrade, in MiB. */
    private double residentGrowthPerUpgrade(Map<String, Long> before, int upgrades) {
        return residentMb().entrySet().stream().filter(e -> before.containsKey(e.getKey()))
                .mapToDouble(e -> (e.getValue() - before.get(e.getKey())) / (double) upgrades).max().orElse(0);
    }

    /** The resident memory of each live task manager, in MiB. */
    private Map<String, Long> residentMb() {
        Map<String, Long> resident = new LinkedHashMap<>();
        flink.liveTaskManagers().forEach(tm -> resident.put(tm, flink.taskManager(tm).residentMb()));
        return resident;
    }

    /** Adds an exactly-once tally to the figures of the benchmark rows. */
    private void countExactlyOnce(Tally tally) {
        figures.add("events", tally.sent());
        figures.add("events_lost", tally.lost().size());
        figures.add("duplicates_exactly_once", tally.duplicates());
    }

    /** When the first answer scored by the model (no fallback) to an event sent after {@code millis} arrived. */
    private static Optional<Long> firstScoredAfter(long millis, Map<Long, Sent> sent, Map<Long, Answers> answers) {
        return answers.entrySet().stream()
                .filter(e -> sent.containsKey(e.getKey()) && sent.get(e.getKey()).sentAtMillis() > millis)
                .filter(e -> !e.getValue().recommendations().get(0).getFallback())
                .map(e -> e.getValue().firstArrivalMillis()).min(Long::compare);
    }

    /** The first answers to the events sent between {@code from} and {@code until}. */
    private static List<Recommendation> answersToEventsSent(long from, long until, Map<Long, Sent> sent,
                                                            Map<Long, Answers> answers) {
        return answers.entrySet().stream()
                .filter(e -> sent.containsKey(e.getKey()))
                .filter(e -> sent.get(e.getKey()).sentAtMillis() >= from && sent.get(e.getKey()).sentAtMillis() < until)
                .map(e -> e.getValue().recommendations().get(0)).toList();
    }

    /**
     * The task managers that run subtasks of both jobs. Spreading the slots leaves a tie for the second job's second
     * slot, which may fall on the task manager of its first: then no task manager runs both.
     */
    private Set<String> sharedTaskManagers(String job, String other) {
        Set<String> shared = new TreeSet<>(flink.rest().taskManagersOf(job));
        shared.retainAll(flink.rest().taskManagersOf(other));
        return shared;
    }

    /** A job of this scenario class's scoring mode, the tests' k and scoring timeout. */
    private ScenarioJob job(String name, DeliveryGuarantee delivery) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(JobOptions.TOP_K.key(), Integer.toString(K));
        // answers from the model, not the popularity fallback, even when two shared cores are slow
        settings.put(JobOptions.SCORING_TIMEOUT.key(), "10s");
        settings.putAll(mode.jobOptions());
        return new ScenarioJob(name, delivery, settings, kafka.bootstrapServers(), flink, builds.jobJar(),
                dir.resolve("jobs"));
    }

    /** Four users, one per theme but OCEAN (the probes'), walking through their theme's items. */
    private static List<Walk> walks() {
        List<Walk> walks = new ArrayList<>();
        for (Theme theme : List.of(Theme.DINOSAURS, Theme.SPACE, Theme.FARM, Theme.MUSIC)) {
            walks.add(new Walk(theme.name().toLowerCase() + "-fan", SmallModel.warmItems(theme)));
        }
        return walks;
    }

    /** Interacts as a user of {@code theme} until {@code item} is ranked: the job has onboarded it. */
    private static void awaitOnboarded(InteractionFeed feed, RecommendationLog answers, String item, Theme theme) {
        String user = "onboarding-check";
        List<String> items = SmallModel.warmItems(theme);
        int[] turn = {0};
        Await.until(WAIT, item + " ranked", () -> {
            long event = feed.send(user, items.get(turn[0]++ % items.size()));
            Recommendation rec = Await.value(WAIT, "the answer to event " + event,
                    () -> answers.answers(event).map(a -> a.recommendations().get(0)));
            return itemIds(rec).contains(item);
        });
    }

    private static void awaitAnswered(RecommendationLog log, Set<Long> events, String what) {
        Await.until(WAIT, what + " (" + events.size() + " events)", () -> log.answered(events) == events.size());
    }

    private static Set<String> catalogue() {
        Set<String> items = new HashSet<>();
        for (Theme theme : Theme.values()) {
            items.addAll(SmallModel.warmItems(theme));
            items.add(SmallModel.coldItem(theme));
        }
        return items;
    }

    private static Set<String> itemIds(Recommendation recommendation) {
        return recommendation.getItems().stream().map(ScoredItem::getItemId).collect(Collectors.toSet());
    }
}
