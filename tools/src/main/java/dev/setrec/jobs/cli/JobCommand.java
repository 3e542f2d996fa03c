package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.LocalFlink;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.embedded.LocalCluster;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.jobs.pipeline.KafkaIo;
import dev.setrec.jobs.pipeline.RecommendationJob;
import dev.setrec.jobs.quickstart.JobHealth;
import dev.setrec.jobs.quickstart.StatusBoard;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.models.ModelFolder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the recommendation job in this process (a local Flink cluster) against an external Kafka, with a console line
 * that shows the job's state, restarts and last failure. A job that ends on its own (failed for good, or cancelled
 * through Flink's REST API) ends the command with its cause and exit status {@value #JOB_ENDED}; Ctrl-C cancels the
 * job and shuts the local cluster down before the JVM ends.
 */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = "Run the streaming recommendation job against a Kafka cluster (until Ctrl-C).")
final class JobCommand implements Callable<Integer> {
    /** Exit status of a command whose job ended on its own (quickstart too). */
    static final int JOB_ENDED = 1;
    private static final String JOB_NAME = "setrec-recommendations";
    private static final Duration CONSOLE_EVERY = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;
    @Mixin
    JobFlags flags;
    @Option(names = "--model", paramLabel = "DIR",
            description = "a SETRec model dir, or a models folder whose newest model dir serves and is swapped live "
                    + "(in-process scoring; setrec.scoring.mode=remote uses the model server's)")
    Path model;
    @Option(names = "--parallelism", defaultValue = "2", description = "parallel subtasks (default ${DEFAULT-VALUE})")
    int parallelism;
    @Option(names = "--checkpoint-dir", defaultValue = "checkpoints", paramLabel = "DIR",
            description = "where Flink checkpoints go (default ${DEFAULT-VALUE})")
    Path checkpoints;

    @Override
    public Integer call() throws Exception {
        Configuration options = flags.options(Map.of());
        SetRecOperator.Factory scoring = scoring(options);
        Topics.ensure(flags.bootstrapServers, EmbeddedJob.topics(options, parallelism), Duration.ofSeconds(30));
        EmbeddedJob.quietMetricCollisionWarnings(); // they would bury the job's line
        Configuration flink = LocalFlink.configuration(options, checkpoints, parallelism);
        StreamExecutionEnvironment env = LocalFlink.environment(flink);
        KafkaIo kafka = new KafkaIo(options);
        RecommendationJob.build(env, options, scoring, kafka, kafka);
        LocalCluster cluster = LocalCluster.run(env, flink, JOB_NAME);
        System.out.println("setrec job " + cluster.jobId() + ": " + flags.bootstrapServers + ", " + servedBy(options)
                + ", " + options.get(JobOptions.DELIVERY) + "; Flink's REST API on " + cluster.restAddress()
                + "; Ctrl-C stops it");
        return watchUntilEnd(cluster, StatusBoard.forJob(System.out));
    }

    /** Draws the job's line until the job ends or Ctrl-C cancels it; the command's exit status. */
    static int watchUntilEnd(LocalCluster cluster, StatusBoard board) throws Exception {
        AtomicBoolean ctrlC = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> {
            ctrlC.set(true);
            closeQuietly(cluster);
            awaitQuietly(stopped);
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            while (!cluster.awaitEnd(CONSOLE_EVERY)) {
                board.render(cluster.health(), System.currentTimeMillis());
            }
            JobHealth end = cluster.health();
            board.summary(end, System.currentTimeMillis());
            if (ctrlC.get()) {
                return 0; // stopped on purpose, no error (the JVM, shutting down, ends with the signal's status)
            }
            System.err.println("error: " + end.endedBecause());
            return JOB_ENDED;
        } finally {
            cluster.close();
            stopped.countDown();
            removeHook(onCtrlC);
        }
    }

    private static void closeQuietly(LocalCluster cluster) {
        try {
            cluster.close();
        } catch (Exception e) {
            System.err.println("stopping the job: " + e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Once the job is over the hook has nothing to stop; in a JVM that is already shutting down it stays. */
    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs (or ran) and finds the cluster closed
        }
    }

    /**
     * The scoring operator of the options' mode; in-process mode needs --model, a valid SETRec model dir or a models
     * folder (whose versions are checked as they arrive: the job serves the fallback until one loads).
     */
    private SetRecOperator.Factory scoring(Configuration options) throws IOException {
        if (Operators.IN_PROCESS.equals(options.get(JobOptions.SCORING_MODE))) {
            if (model == null) {
                throw new ParameterException(spec.commandLine(), "--model is required with in-process scoring (the "
                        + "default); with " + JobOptions.SCORING_MODE.key() + "=" + Operators.REMOTE
                        + " the model server scores");
            }
            if (!ModelFolder.isModelsFolder(model)) {
                requireSetRecModel(model);
            }
        }
        return Operators.factory(options, model);
    }

    private String servedBy(Configuration options) {
        return Operators.REMOTE.equals(options.get(JobOptions.SCORING_MODE))
                ? "model server " + options.get(JobOptions.MODEL_SERVER_URL) : "model " + model;
    }

    /** Fails before anything starts when the dir is not a valid SETRec model (the job would restart on it). */
    static ModelManifest requireSetRecModel(Path dir) throws IOException {
        ModelManifest manifest = ModelIO.readManifest(dir);
        if (!SetRec.TYPE.equals(manifest.type())) {
            throw new IllegalArgumentException(dir + " holds a " + manifest.type() + " model; the job serves setrec");
        }
        return manifest;
    }
}
