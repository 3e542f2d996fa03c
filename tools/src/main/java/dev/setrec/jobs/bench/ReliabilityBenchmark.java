package dev.setrec.jobs.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.jobs.bench.faults.BadInputScenario;
import dev.setrec.jobs.bench.faults.BrokenModelScenario;
import dev.setrec.jobs.bench.faults.ModelServerOutageScenario;
import dev.setrec.jobs.bench.faults.SavepointRestoreScenario;
import dev.setrec.jobs.bench.faults.ScenarioResult;
import dev.setrec.jobs.bench.faults.ServedModel;
import dev.setrec.jobs.bench.faults.TaskManagerLossScenario;
import dev.setrec.model.setrec.SetRec;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.FileUtils;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The reliability row of BENCHMARKS.md: every fault scenario of {@code dev.setrec.jobs.bench.faults} (the checks of
 * the fault-injection tests) run against the served model on the in-process broker, plus the bad-input corpus in both
 * delivery modes. It records what held and what it counted; a scenario whose guarantee broke, or that could not run
 * to its end, is a result in the row like any other (docs/reliability.md says what each figure means).
 */
public final class ReliabilityBenchmark {
    private static final List<Integer> RESTORE_PARALLELISMS = List.of(1, 3);
    private static final List<DeliveryGuarantee> DELIVERIES = List.of(DeliveryGuarantee.EXACTLY_ONCE,
            DeliveryGuarantee.AT_LEAST_ONCE);

    /** A scenario's result and how long it ran. */
    private record Timed(ScenarioResult result, double seconds) {
    }

    /** The corpus in one delivery mode and how long it ran. */
    private record TimedBadInput(BadInputScenario.Result result, double seconds) {
    }

    private final ServedModel model;
    private final String dataset;
    private final String command;
    private final PrintStream log;

    /**
     * @param dataset the data set the model was trained on (the row's)
     * @param log     progress, one summary line per scenario
     */
    public ReliabilityBenchmark(ServedModel model, String dataset, String command, PrintStream log) {
        this.model = model;
        this.dataset = dataset;
        this.command = command;
        this.log = log;
    }

    /** Runs every scenario, one after the other, each on a cluster of its own; returns the results row. */
    public JsonObject run() throws Exception {
        Path work = Files.createTempDirectory("setrec-reliability-bench");
        try {
            List<Timed> faults = new ArrayList<>();
            TaskManagerLossScenario loss = new TaskManagerLossScenario(model);
            for (DeliveryGuarantee delivery : DELIVERIES) {
                faults.add(timed("task manager lost, " + mode(delivery), delivery, TaskManagerLossScenario.FAULTS,
                        () -> loss.run(delivery, Files.createTempDirectory(work, "tm-loss"))));
            }
            SavepointRestoreScenario savepoints = new SavepointRestoreScenario(model);
            SavepointRestoreScenario.Baseline baseline = undisturbed(savepoints, work);
            for (int parallelism : RESTORE_PARALLELISMS) {
                faults.add(timed("stop-with-savepoint, restore at parallelism " + parallelism,
                        DeliveryGuarantee.AT_LEAST_ONCE, SavepointRestoreScenario.faults(parallelism),
                        () -> savepoints.restoreAt(parallelism, baseline, Files.createTempDirectory(work, "state"),
                                Files.createTempDirectory(work, "savepoints"))));
            }
            faults.add(timed("model server down, killed and paused", DeliveryGuarantee.AT_LEAST_ONCE,
                    ModelServerOutageScenario.FAULTS, () -> new ModelServerOutageScenario(model, log)
                            .run(Files.createTempDirectory(work, "state"), Files.createTempDirectory(work, "items"))));
            faults.add(timed("a model that does not load", DeliveryGuarantee.AT_LEAST_ONCE, BrokenModelScenario.FAULTS,
                    () -> new BrokenModelScenario(model).run(Files.createTempDirectory(work, "state"),
                            Files.createTempDirectory(work, "copies"))));
            List<TimedBadInput> badInput = new ArrayList<>();
            for (DeliveryGuarantee delivery : DELIVERIES) {
                badInput.add(badInput(delivery, work));
            }
            JsonObject row = row(faults, badInput);
            log.println("reliability: " + row.getAsJsonObject("metrics"));
            return row;
        } finally {
            FileUtils.deleteDirectory(work.toFile());
        }
    }

    private Timed timed(String scenario, DeliveryGuarantee delivery, List<String> faults,
                        Callable<ScenarioResult> run) {
        log.println("== " + scenario);
        long start = System.nanoTime();
        ScenarioResult result;
        try {
            result = run.call();
        } catch (Exception e) {
            result = ScenarioResult.failedToRun(scenario, delivery, faults, e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.printf(Locale.ROOT, "%s: %s in %.0f s; %d interactions, %d lost, %d duplicates, %d restarts%s%n",
                scenario, result.held() ? "held" : "BROKEN", seconds, result.events(), result.lost(),
                result.duplicates(), result.restarts(), result.recovery().isPresent()
                        ? String.format(Locale.ROOT, ", in time again after %.2f s", result.recovery().getAsDouble())
                        : "");
        result.problems().forEach(problem -> log.println("  " + problem));
        return new Timed(result, seconds);
    }

    /** The undisturbed run every restore is compared with; where it cannot run, each restore says so. */
    private SavepointRestoreScenario.Baseline undisturbed(SavepointRestoreScenario scenario, Path work) {
        log.println("== the undisturbed run for the savepoint scenarios");
        try {
            return scenario.runUndisturbed(Files.createTempDirectory(work, "state"));
        } catch (Exception e) {
            return new SavepointRestoreScenario.Baseline(Map.of(),
                    List.of("the undisturbed run did not run to its end: " + e));
        }
    }

    private TimedBadInput badInput(DeliveryGuarantee delivery, Path work) {
        log.println("== bad input, " + mode(delivery));
        long start = System.nanoTime();
        BadInputScenario.Result result;
        try {
            result = new BadInputScenario(model).run(delivery, Files.createTempDirectory(work, "state"));
        } catch (Exception e) {
            result = new BadInputScenario.Result(delivery, List.of(), 0,
                    List.of("the corpus did not run to its end: " + e));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.printf(Locale.ROOT, "bad input, %s: %d of %d kinds with their expected outcome in %.0f s%n",
                mode(delivery), result.passedKinds().size(), result.outcomes().size(), seconds);
        result.problems().forEach(problem -> log.println("  " + problem));
        return new TimedBadInput(result, seconds);
    }

    private JsonObject row(List<Timed> faults, List<TimedBadInput> badInput) {
        JsonObject metrics = new JsonObject();
        metrics.addProperty("faults_survived", faults.stream().filter(t -> t.result().held())
                .mapToInt(t -> t.result().faults().size()).sum());
        metrics.addProperty("faults_injected", faults.stream().mapToInt(t -> t.result().faults().size()).sum());
        metrics.addProperty("bad_input_kinds", kindsPassedInEveryMode(badInput));
        metrics.addProperty("bad_input_kinds_sent", badInput.stream()
                .mapToInt(t -> t.result().outcomes().size()).max().orElse(0));
        metrics.addProperty("events", faults.stream().mapToInt(t -> t.result().events()).sum());
        metrics.addProperty("events_lost", faults.stream().mapToInt(t -> t.result().lost()).sum());
        metrics.addProperty("duplicates_exactly_once", duplicates(faults, DeliveryGuarantee.EXACTLY_ONCE));
        metrics.addProperty("duplicates_at_least_once", duplicates(faults, DeliveryGuarantee.AT_LEAST_ONCE));
        slowestRecovery(faults).ifPresent(seconds -> metrics.addProperty("recovery_s", round(seconds, 2)));

        JsonArray details = new JsonArray();
        faults.forEach(t -> details.add(detail(t)));
        badInput.forEach(t -> details.add(detail(t)));
        JsonObject row = BenchmarkResults.row("reliability", dataset, SetRec.TYPE, "faults", "none", metrics, command);
        row.add("details", details);
        return row;
    }

    /** Kinds with their expected outcome in every delivery mode run. */
    private static int kindsPassedInEveryMode(List<TimedBadInput> badInput) {
        Set<String> passed = new LinkedHashSet<>(badInput.get(0).result().passedKinds());
        badInput.forEach(t -> passed.retainAll(t.result().passedKinds()));
        return passed.size();
    }

    private static int duplicates(List<Timed> faults, DeliveryGuarantee delivery) {
        return faults.stream().filter(t -> t.result().delivery() == delivery)
                .mapToInt(t -> t.result().duplicates()).sum();
    }

    /**
     * The slower recovery of the task-manager losses; empty where one of them measured none (its job was not
     * answering in time again when its stream ended, or it did not run).
     */
    private static OptionalDouble slowestRecovery(List<Timed> faults) {
        List<ScenarioResult> losses = faults.stream().map(Timed::result)
                .filter(r -> r.faults().equals(TaskManagerLossScenario.FAULTS)).toList();
        if (losses.isEmpty() || losses.stream().anyMatch(r -> r.recovery().isEmpty())) {
            return OptionalDouble.empty();
        }
        return losses.stream().mapToDouble(r -> r.recovery().getAsDouble()).max();
    }

    private static JsonObject detail(Timed timed) {
        ScenarioResult result = timed.result();
        JsonObject detail = new JsonObject();
        detail.addProperty("scenario", result.scenario());
        detail.addProperty("delivery", mode(result.delivery()));
        detail.add("faults", strings(result.faults()));
        detail.addProperty("held", result.held());
        detail.addProperty("events", result.events());
        detail.addProperty("lost", result.lost());
        detail.addProperty("duplicates", result.duplicates());
        detail.addProperty("restarts", result.restarts());
        result.recovery().ifPresent(seconds -> detail.addProperty("recovery_s", round(seconds, 2)));
        detail.addProperty("wall_s", round(timed.seconds(), 1));
        detail.add("problems", strings(result.problems()));
        return detail;
    }

    private static JsonObject detail(TimedBadInput timed) {
        BadInputScenario.Result result = timed.result();
        JsonObject detail = new JsonObject();
        detail.addProperty("scenario", "bad input: " + result.passedKinds().size() + " of "
                + result.outcomes().size() + " kinds with their expected outcome");
        detail.addProperty("delivery", mode(result.delivery()));
        detail.addProperty("held", result.problems().isEmpty());
        detail.addProperty("restarts", result.restarts());
        detail.addProperty("wall_s", round(timed.seconds(), 1));
        detail.add("problems", strings(result.problems()));
        return detail;
    }

    private static JsonArray strings(List<String> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }

    private static String mode(DeliveryGuarantee delivery) {
        return delivery.name().toLowerCase(Locale.ROOT);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
