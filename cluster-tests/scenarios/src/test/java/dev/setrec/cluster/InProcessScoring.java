package dev.setrec.cluster;

import dev.setrec.e2e.support.SmallModel;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.scoring.Operators;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * In-process scoring: every task manager loads the model itself, on DJL from its lib/ (flink-lib), as
 * docs/cluster.md sets a cluster up.
 */
final class InProcessScoring implements ScoringMode {
    private Path modelDir;

    @Override
    public String name() {
        return Operators.IN_PROCESS;
    }

    @Override
    public List<Path> taskManagerLib(Builds builds) {
        return List.of(builds.inProcessLib());
    }

    @Override
    public Map<String, String> clusterConfig() {
        return Map.of(
                // a job jar that bundles DJL anyway must not load a second copy of its native libraries
                "classloader.parent-first-patterns.additional", "ai.djl.;ai.onnxruntime.",
                "taskmanager.memory.process.size", "2048m",
                "taskmanager.memory.managed.size", "128m",
                // libtorch, ONNX Runtime and the models live outside the JVM heap: about 250 MB for the engines and
                // 200 MB per job running at once (measured, docs/cluster.md); two jobs share a task manager here
                "taskmanager.memory.task.off-heap.size", "768m");
    }

    /**
     * glibc keeps what libtorch and ONNX Runtime free in its arenas instead of giving it back: without a periodic
     * malloc_trim each job's model and text-encoder session add their size to the task manager's resident memory
     * for good (measured: about 130 MB per upgrade; one trim took 1.4 GB back to 1.05 GB). JDK 17.0.9 and later.
     */
    @Override
    public List<String> jvmOptions() {
        return List.of("-XX:TrimNativeHeapInterval=5000");
    }

    @Override
    public void start(SmallModel model, Path dir) {
        modelDir = model.dir();
    }

    @Override
    public Map<String, String> jobOptions() {
        return Map.of(JobOptions.SCORING_MODE.key(), name(),
                JobOptions.MODEL_DIR.key(), modelDir.toString(),
                JobOptions.DEVICE.key(), "cpu");
    }

    @Override
    public void close() {
        // the task managers hold the model; they stop with the cluster
    }
}
