package dev.setrec.serve;

import dev.setrec.text.TextEncoder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The model server: Jetty in front of {@link Serving}. It listens before the first model is loaded, so liveness
 * answers at once and readiness once the model and the onboarded items are in.
 */
public final class ModelServer implements AutoCloseable {
    private final Server jetty;
    private final Serving serving;
    private final ItemStore store;
    private final ServerConnector connector;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ModelServer(Server jetty, ServerConnector connector, Serving serving, ItemStore store) {
        this.jetty = jetty;
        this.connector = connector;
        this.serving = serving;
        this.store = store;
    }

    /**
     * Starts listening, then loads {@code modelDir} with every item of the durable store; returns when ready.
     *
     * @param encoder the text encoder for new items (the one the model was trained with); the caller closes it
     * @throws IOException when the port, the item store or the model cannot be used (nothing is left running)
     */
    public static ModelServer start(Path modelDir, ServerConfig config, TextEncoder encoder, PrintStream log)
            throws IOException {
        ItemStore store = ItemStore.open(config.itemStore());
        Serving serving = new Serving(config, encoder, store, log);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("setrec-http");
        Server jetty = new Server(threads);
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost(config.host());
        connector.setPort(config.port());
        jetty.addConnector(connector);
        Path modelsRoot = (config.modelsRoot() != null ? config.modelsRoot() : modelDir.toAbsolutePath().getParent())
                .toAbsolutePath().normalize();
        jetty.setHandler(new HttpApi(serving, config, modelsRoot));
        jetty.setStopTimeout(5_000); // in-flight requests get this long to finish on stop
        ModelServer server = new ModelServer(jetty, connector, serving, store);
        try {
            jetty.start();
            log.println("model server listening on " + server.uri() + (config.token() == null ? ""
                    : " (bearer token required)"));
            serving.load(modelDir);
            return server;
        } catch (Serving.ModelRefused e) {
            server.close();
            throw new IOException(e.getMessage(), e);
        } catch (Exception e) {
            server.close();
            throw new IOException("cannot start the model server on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
    }

    public URI uri() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort());
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Stops taking connections, lets requests in flight finish, then closes the models and the item store. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the HTTP server: " + e.getMessage(), e);
        } finally {
            try {
                serving.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                store.close();
            }
        }
    }
}
