package dev.setrec.cluster;

import dev.setrec.e2e.support.SmallModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How the job scores on the cluster, and what the cluster needs for it. */
interface ScoringMode extends AutoCloseable {
    /** The value of setrec.scoring.mode. */
    String name();

    /** Jar folders that go into the task managers' lib/ beside Flink's own (the job manager and the CLI: never). */
    List<Path> taskManagerLib(Builds builds);

    /** Flink configuration this mode needs (memory, class loading). */
    Map<String, String> clusterConfig();

    /** JVM options this mode needs in the Flink processes, beyond Flink's own. */
    List<String> jvmOptions();

    /** Starts what the mode scores on, for {@code model}; {@code dir} is for its files. */
    void start(SmallModel model, Path dir) throws Exception;

    /** The job options that select this mode and configure it. */
    Map<String, String> jobOptions();
}
