package dev.setrec.serve;

import dev.setrec.models.ModelFolder;
import dev.setrec.text.TextEncoder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
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
    /** Follows the models folder served, if one is: null for a model dir. */
    private volatile ModelFolder.Watcher folderWatcher;

    private ModelServer(Server jetty, ServerConnector connector, Serving serving, ItemStore store) {
        this.jetty = jetty;
        this.connector = connector;
        this.serving = serving;
        this.store = store;
    }

    /**
     * Checks the configuration's security rules without starting anything, so that a command line fails before it
     * loads a text encoder; {@link #start} checks them again.
     *
     * @throws IllegalArgumentException where a rule is broken, with the flag or variable that fixes it
     */
    public static void checkConfig(Path modelDir, ServerConfig config) {
        Access.of(config.host(), config.auth());
        ModelsRoot.of(config.modelsRoot(), modelDir);
    }

    /**
     * Starts listening, then loads {@code modelDir} with every item of the durable store; returns when ready. Where
     * {@code modelDir} is a {@link ModelFolder models folder}, its newest loadable version serves and the folder is
     * looked at every {@link ServerConfig#modelsRefresh()} for a newer one, which is loaded like a POST
     * /v1/model/load; a version that cannot load is logged once and skipped.
     *
     * @param encoder the text encoder for new items (the one the model was trained with); the caller closes it
     * @throws IllegalArgumentException when the configuration breaks a security rule (docs/server.md): a
     *                                  non-loopback address without a token, a models root that is a filesystem root
     * @throws IOException              when the port, the item store or the model cannot be used, or a models
     *                                  folder holds no version that loads (nothing is left running)
     */
    public static ModelServer start(Path modelDir, ServerConfig config, TextEncoder encoder, PrintStream log)
            throws IOException {
        Access access = Access.of(config.host(), config.auth());
        ModelsRoot modelsRoot = ModelsRoot.of(config.modelsRoot(), modelDir);
        ItemStore store = ItemStore.open(config.itemStore());
        Serving serving = new Serving(config, encoder, store, log);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("setrec-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // an item id may hold '/' or '%' (encoded): routes match the raw path and the item route decodes its id
        // itself, and no path is ever mapped to a file, so these encodings are not ambiguous here
        http.setUriCompliance(UriCompliance.DEFAULT.with("setrec-item-ids",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        jetty.addConnector(connector);
        jetty.setHandler(new HttpApi(serving, config, access, modelsRoot));
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setStopTimeout(5_000); // in-flight requests get this long to finish on stop
        ModelServer server = new ModelServer(jetty, connector, serving, store);
        try {
            jetty.start();
            log.println("model server listening on " + server.uri() + " (" + access.describe() + "); models load "
                    + "from below " + modelsRoot);
            if (ModelFolder.isModelsFolder(modelDir)) {
                server.folderWatcher = new ModelFolder.Watcher(modelDir, config.modelsRefresh(), serving::load,
                        log::println);
                if (server.folderWatcher.newestLoaded().isEmpty()) {
                    throw new Serving.ModelRefused("the models folder " + modelDir + " holds no version that loads "
                            + "(a version is a subfolder with model.json whose name does not start with a dot; "
                            + "refused ones are logged above)", null);
                }
            } else {
                serving.load(modelDir);
            }
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

    /**
     * Stops following the models folder, stops taking connections, lets requests in flight finish, then closes the
     * models and the item store.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (folderWatcher != null) {
            try {
                folderWatcher.close(); // first: no version may load into a server that is closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing goes on, as below
            }
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
