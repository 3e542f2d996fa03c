package dev.setrec.jobs.bench.faults;

import dev.setrec.serve.ModelServer;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.TextEncoder;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A model server ({@code ./setrec serve}, in this JVM) behind a {@link TcpProxy}: started (again) on a free port of
 * its own with the proxy pointed at it, killed, closed at the end. Its item store survives a kill, as a real
 * server's disk would.
 */
public final class RestartableModelServer implements AutoCloseable {
    private final Path modelDir;
    private final ServerConfig config;
    private final TextEncoder encoder;
    private final TcpProxy proxy;
    private final PrintStream log;
    private ModelServer running;

    /** @param config the server's settings; its port is ignored (a free one each start) */
    public RestartableModelServer(Path modelDir, ServerConfig config, TextEncoder encoder, TcpProxy proxy,
                                  PrintStream log) {
        this.modelDir = modelDir;
        this.config = config.withPort(0);
        this.encoder = encoder;
        this.proxy = proxy;
        this.log = log;
    }

    /** Starts the server (it loads the model and the onboarded items of its store) and points the proxy at it. */
    public void start() throws Exception {
        running = ModelServer.start(modelDir, config, encoder, log);
        proxy.forwardTo(running.port());
    }

    /**
     * Stops the server as a crash would show to its clients: its port closes and every connection with it (the
     * server runs in this JVM, so it is a stop, not a SIGKILL: requests already in it may finish).
     */
    public void kill() {
        running.close();
        running = null;
    }

    @Override
    public void close() {
        if (running != null) {
            kill();
        }
    }
}
