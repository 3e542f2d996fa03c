package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.embedded.LocalCluster;
import dev.setrec.jobs.functions.ModelFolderRefresher;
import dev.setrec.jobs.functions.Refresher;
import dev.setrec.jobs.quickstart.StatusBoard;
import dev.setrec.models.ModelFolder;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs the refresh job in this process (a local Flink cluster) against an external Kafka, next to the recommendation
 * job ({@code ./setrec job}) and with the same console line; a command of its own, not a flag of {@code job}, since
 * it is a second Flink job with its own options, consumer group, checkpoints and lifetime (docs/operations.md).
 */
@Command(name = "refresh-job", mixinStandardHelpOptions = true,
        description = "Run the model refresh job against a Kafka cluster (until Ctrl-C): every setrec.refresh.interval "
                + "it fine-tunes the serving model of a models folder on the newest interactions, adds a better "
                + "version to the folder and publishes each outcome on the model-versions topic.")
final class RefreshJobCommand implements Callable<Integer> {
    private static final String JOB_NAME = "setrec-refresh";

    /** The refresh of a models folder, from the job's options. */
    @FunctionalInterface
    interface Refreshers {
        Refresher of(Path modelsFolder, Configuration options) throws IOException;
    }

    private final Refreshers refreshers;
    @Spec
    CommandSpec spec;
    @Mixin
    JobFlags flags;
    @Option(names = "--models", required = true, paramLabel = "FOLDER",
            description = "the models folder the recommendation job and the model server follow: its newest version "
                    + "is refreshed and each promoted version is added to it")
    Path models;
    @Option(names = "--parallelism", defaultValue = "2",
            description = "parallel subtasks of the parsing (the window is one; default ${DEFAULT-VALUE})")
    int parallelism;
    @Option(names = "--checkpoint-dir", defaultValue = "checkpoints-refresh", paramLabel = "DIR",
            description = "where Flink checkpoints go (default ${DEFAULT-VALUE}; not the recommendation job's)")
    Path checkpoints;

    RefreshJobCommand(Refreshers refreshers) {
        this.refreshers = refreshers;
    }

    @Override
    public Integer call() throws Exception {
        if (!ModelFolder.isModelsFolder(models)) {
            throw new ParameterException(spec.commandLine(), "--models " + models + " is not a models folder (a "
                    + "folder of model dirs, one per version; see docs/operations.md)");
        }
        // each refresh's report (figures, epochs, the decision) is this command's console output; a level given with -D
        // stands
        String reportLevel = "org.slf4j.simpleLogger.log." + ModelFolderRefresher.class.getName();
        if (System.getProperty(reportLevel) == null) {
            System.setProperty(reportLevel, "info");
        }
        Configuration options = flags.options(Map.of(JobOptions.MODEL_DIR.key(), models.toString()));
        Refresher refresher = refreshers.of(models, options);
        LocalCluster cluster = EmbeddedJob.startRefresh(JOB_NAME, options, refresher, checkpoints, parallelism);
        System.out.println("setrec refresh job " + cluster.jobId() + ": " + flags.bootstrapServers + ", models folder "
                + models + ", a refresh every " + options.get(JobOptions.REFRESH_INTERVAL) + ", outcomes on "
                + options.get(JobOptions.MODEL_VERSIONS_TOPIC) + "; Flink's REST API on " + cluster.restAddress()
                + "; Ctrl-C stops it");
        return JobCommand.watchUntilEnd(cluster, StatusBoard.forJob(System.out));
    }
}
