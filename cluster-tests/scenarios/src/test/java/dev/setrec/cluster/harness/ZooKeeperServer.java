package dev.setrec.cluster.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A standalone ZooKeeper server in its own JVM, for Flink's high availability. */
public final class ZooKeeperServer implements AutoCloseable {
    /** ZooKeeper's session timeouts are bounded by 2 and 20 ticks: a short tick allows Flink's short sessions. */
    private static final int TICK_MS = 500;
    private static final int PROBE_TIMEOUT_MS = 2_000;

    private final JavaProcess process;
    private final int port;

    private ZooKeeperServer(JavaProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server with its data in {@code dir}; returns once it answers. */
    public static ZooKeeperServer start(Path lib, Path dir, Log4jConfig logging, Path logDir) {
        int port = FreePorts.next();
        Path config = dir.resolve("zoo.cfg");
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(config, String.join("\n",
                    "tickTime=" + TICK_MS,
                    "dataDir=" + dir.resolve("data"),
                    "clientPort=" + port,
                    "clientPortAddress=127.0.0.1",
                    "admin.enableServer=false",
                    "4lw.commands.whitelist=ruok",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JavaProcess process = JavaProcess.builder("zookeeper", "org.apache.zookeeper.server.ZooKeeperServerMain")
                .jarsOf(List.of(lib))
                .jvmOptions(List.of("-Xmx128m"))
                .jvmOptions(logging.jvmOptions(logDir.resolve("zookeeper.log")))
                .arguments(List.of(config.toString()))
                .logDir(logDir)
                .start();
        ZooKeeperServer server = new ZooKeeperServer(process, port);
        Await.until(Duration.ofSeconds(60), "ZooKeeper answering on port " + port, () -> {
            if (!process.isAlive()) {
                throw new Await.Hopeless("ZooKeeper exited; see " + process.output());
            }
            return server.isServing();
        });
        return server;
    }

    /** host:port for clients (Flink's high-availability.zookeeper.quorum). */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    private boolean isServing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), PROBE_TIMEOUT_MS);
            // a probe must end: a server that accepts and never answers, or a connection to itself, is "not yet"
            socket.setSoTimeout(PROBE_TIMEOUT_MS);
            if (socket.getLocalPort() == port) {
                return false;
            }
            OutputStream out = socket.getOutputStream();
            out.write("ruok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return "imok".equals(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
