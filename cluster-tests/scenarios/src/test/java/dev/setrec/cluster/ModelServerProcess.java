package dev.setrec.cluster;

import dev.setrec.cli.Main;
import dev.setrec.cluster.harness.Await;
import dev.setrec.cluster.harness.FreePorts;
import dev.setrec.cluster.harness.JavaProcess;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The model server of remote scoring as an operator runs it ({@code ./setrec serve}): a JVM of its own, so that it
 * can die ({@code kill -9}) and come back on the same port and item store while the job keeps running. Its class
 * path is the test's own (model-server and its dependencies are on it).
 */
final class ModelServerProcess implements AutoCloseable {
    private static final Duration START = Duration.ofMinutes(3);

    private final Path model;
    private final Path dir;
    private final Path logs;
    private final Path tokenFile;
    private final int port = FreePorts.next();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private JavaProcess process;
    private int starts;

    /**
     * A server of {@code model} requiring {@code token}, its item store and token file under {@code dir}, its output
     * in {@code logs}; not started yet.
     */
    ModelServerProcess(Path model, String token, Path dir, Path logs) throws IOException {
        this.model = model;
        this.dir = dir;
        this.logs = logs;
        this.tokenFile = dir.resolve("token");
        Files.createDirectories(dir);
        Files.writeString(tokenFile, token + "\n");
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Starts the server (again, after {@link #killHard()}) and returns once it is ready to rank. */
    void start() {
        List<Path> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of).toList();
        JavaProcess started = JavaProcess.builder("model-server-" + ++starts, Main.class.getName())
                .classPath(classPath)
                .jvmOptions(List.of("-Xmx768m", "-Dai.djl.offline=true"))
                .arguments(List.of("serve", "--model", model.toString(), "--host", "127.0.0.1",
                        "--port", Integer.toString(port), "--item-store", dir.resolve("item-store").toString(),
                        "--token-file", tokenFile.toString()))
                .logDir(logs)
                .start();
        process = started;
        Await.until(START, started.name() + " ready", () -> {
            if (!started.isAlive()) {
                throw new Await.Hopeless(started.name() + " exited; see " + started.output());
            }
            return ready();
        });
    }

    /** {@code kill -9}: open requests break, new connections are refused until {@link #start()}. */
    void killHard() {
        process.killHard();
    }

    private boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(uri().resolve("/health/ready")).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.stop(Duration.ofSeconds(10));
        }
    }
}
