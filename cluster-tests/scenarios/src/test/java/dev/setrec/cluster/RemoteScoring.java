package dev.setrec.cluster;

import dev.setrec.e2e.support.SmallModel;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.scoring.Operators;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
/**
 * Remote scoring: the model server ({@code ./setrec serve}) runs in a JVM of its own, outside the cluster, and the
 * task managers call it over HTTP. The cluster's lib/ is Flink's alone, as in docker-compose.yml. The token reaches
 * the task managers only as a file they read when scoring starts, never in the job's options.
 */
final class RemoteScoring implements ScoringMode {
    private final String token = UUID.randomUUID().toString();
    private ModelServerProcess server;
    private Path tokenFile;

    @Override
    public String name() {
        return Operators.REMOTE;
    }

    @Override
    public List<Path> taskManagerLib(Builds builds) {
        return List.of();
    }

    @Override
    public Map<String, String> clusterConfig() {
        // the job's heap needs are small: histories live in RocksDB (managed memory), scoring is on the server
        return Map.of("taskmanager.memory.process.size", "1280m",
                "taskmanager.memory.managed.size", "128m");
    }

    @Override
    public List<String> jvmOptions() {
        return List.of();
    }

    @Override
    public void start(SmallModel model, Path dir) throws Exception {
        tokenFile = Files.writeString(dir.resolve("model-server.token"), token + "\n");
        server = new ModelServerProcess(model.dir(), token, dir.resolve("model-server"), dir.resolve("logs"));
        server.start();
    }

    /** The model server the jobs call, for the scenario that kills it. */
    ModelServerProcess server() {
        return server;
    }

    @Override
    public Map<String, String> jobOptions() {
        return Map.of(JobOptions.SCORING_MODE.key(), name(),
                JobOptions.MODEL_SERVER_URL.key(), server.uri().toString(),
                JobOptions.MODEL_SERVER_TOKEN_FILE.key(), tokenFile.toString(),
                JobOptions.MODEL_SERVER_CATALOGUE_REFRESH.key(), "1s");
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
