package dev.setrec.jobs.bench.faults;

import dev.setrec.models.ModelDirs;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeoutException;

/**
 * A model dir that cannot be loaded (a copy of the served model with its parameter file cut in half): restarting
 * cannot mend it, so the job must fail at once, without going through its restart attempts, with an error that
 * names the model dir and what is wrong with it (the loader's own reason). Survived means exactly that: one clear
 * error, no restart loop.
 */
public final class BrokenModelScenario {
    public static final List<String> FAULTS = List.of("a model dir that does not load (parameter file cut in half)");
    /** The parameter file of a saved model (named tensors; ParameterStore's format). */
    private static final String PARAMETERS = "weights.bin";
    private static final int RESTART_ATTEMPTS = 3;

    private final ServedModel model;

    public BrokenModelScenario(ServedModel model) {
        this.model = model;
    }

    /** Runs the scenario on a cluster of its own; the broken copy goes to {@code copies}. */
    public ScenarioResult run(Path checkpoints, Path copies) throws Exception {
        Path broken = copyWithTruncatedParameters(model.dir(), copies.resolve("broken-model"));
        List<String> problems = new ArrayList<>();
        int restarts = 0;
        Optional<String> problem = loadProblem(broken);
        if (problem.isEmpty()) {
            problems.add("the copy with a truncated " + PARAMETERS + " loaded");
        } else {
            try (ControlledCluster cluster = ControlledCluster.start(1, 2);
                 RunningJob job = cluster.submit(PipelineJob.named("broken-model", checkpoints, model)
                         .modelDir(broken).restartAttempts(RESTART_ATTEMPTS))) {
                try {
                    Optional<Throwable> error = job.awaitEnd(TopicReader.WAIT);
                    List<String> messages = error.map(BrokenModelScenario::messages).orElse(List.of());
                    if (error.isEmpty()) {
                        problems.add("the job ended without an error");
                    } else if (messages.stream().noneMatch(message -> message.contains(broken.toString())
                            && message.contains(problem.get()))) {
                        problems.add("no message of the job's error names " + broken + " and the problem '"
                                + problem.get() + "': " + messages);
                    }
                    restarts = job.restarts();
                    if (restarts != 0) {
                        problems.add("the job restarted " + restarts + " times before it failed; its error: "
                                + messages);
                    }
                } catch (TimeoutException e) {
                    restarts = job.restarts();
                    problems.add("the job did not fail within " + TopicReader.WAIT + " (" + restarts + " restarts)");
                }
            }
        }
        return new ScenarioResult("a model that does not load", DeliveryGuarantee.AT_LEAST_ONCE, FAULTS, 0, 0, 0,
                restarts, OptionalDouble.empty(), problems);
    }

    /** Why the model dir does not load; empty where it loads. */
    private static Optional<String> loadProblem(Path dir) {
        try {
            ModelDirs.load(dir).close();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A copy of {@code model} in {@code copy} whose parameter file ends half way. */
    private static Path copyWithTruncatedParameters(Path model, Path copy) throws IOException {
        Files.createDirectories(copy);
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        try (RandomAccessFile parameters = new RandomAccessFile(copy.resolve(PARAMETERS).toFile(), "rw")) {
            parameters.setLength(parameters.length() / 2);
        }
        return copy;
    }

    /** The messages of the error and its causes, outermost first. */
    private static List<String> messages(Throwable error) {
        List<String> messages = new ArrayList<>();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            messages.add(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        return messages;
    }
}
