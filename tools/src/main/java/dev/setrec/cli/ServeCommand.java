package dev.setrec.cli;

import dev.setrec.serve.ModelServer;
import dev.setrec.serve.RequestLimits;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.MiniLmEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ./setrec serve}: the model server (model-server/src/main/resources/openapi.yaml) until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a SETRec model over HTTP/JSON with dynamic batching, onboarding and hot swap (until "
                + "Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "the SETRec model dir to serve first, or a models folder (one subfolder per version): its "
                    + "newest version serves and newer ones are loaded as they appear")
    Path model;
    @Option(names = "--refresh-interval", defaultValue = "30", paramLabel = "SECONDS",
            description = "how often a models folder is looked at for a newer version (default ${DEFAULT-VALUE})")
    long refreshSeconds;
    @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "interface to bind (default ${DEFAULT-VALUE}; 0.0.0.0 opens it to the network)")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "port (default ${DEFAULT-VALUE}; 0 = any free one)")
    int port;
    @Option(names = "--item-store", defaultValue = "setrec-item-store", paramLabel = "DIR",
            description = "durable store of onboarded items (default ./${DEFAULT-VALUE})")
    Path itemStore;
    @Mixin
    ServerTokenOptions tokens;
    @Option(names = "--max-batch", defaultValue = "64",
            description = "histories per forward pass (default ${DEFAULT-VALUE}; 1 = no batching)")
    int maxBatch;
    @Option(names = "--max-delay-ms", defaultValue = "2",
            description = "longest wait for a batch to fill (default ${DEFAULT-VALUE})")
    long maxDelayMs;
    @Option(names = "--queue", defaultValue = "1024",
            description = "histories waiting at most; beyond, 429 (default ${DEFAULT-VALUE})")
    int queue;
    @Option(names = "--deadline-ms", defaultValue = "1000",
            description = "default per-request deadline (default ${DEFAULT-VALUE})")
    long deadlineMs;
    @Option(names = "--max-k", defaultValue = "1000", description = "largest k (default ${DEFAULT-VALUE})")
    int maxK;
    @Option(names = "--max-histories", defaultValue = "512",
            description = "histories (or items) per request (default ${DEFAULT-VALUE})")
    int maxHistories;
    @Option(names = "--max-history", defaultValue = "200", description = "items per history (default ${DEFAULT-VALUE})")
    int maxHistory;
    @Option(names = "--max-body-bytes", defaultValue = "1048576",
            description = "largest request body (default ${DEFAULT-VALUE})")
    int maxBodyBytes;
    @Option(names = "--body-timeout-ms", defaultValue = "30000",
            description = "longest a request body may take to arrive; beyond, 408 (default ${DEFAULT-VALUE})")
    long bodyTimeoutMs;
    @Option(names = "--max-id-bytes", defaultValue = "256",
            description = "longest item id, history or exclude entry and user, in UTF-8 bytes (default "
                    + "${DEFAULT-VALUE})")
    int maxIdBytes;
    @Option(names = "--max-text-bytes", defaultValue = "4096",
            description = "longest title, brand and category level, in UTF-8 bytes (default ${DEFAULT-VALUE})")
    int maxTextBytes;
    @Option(names = "--max-categories", defaultValue = "32",
            description = "most category levels of an item (default ${DEFAULT-VALUE})")
    int maxCategories;
    @Option(names = "--max-description-bytes", defaultValue = "16384",
            description = "a longer description is cut to this many UTF-8 bytes (default ${DEFAULT-VALUE})")
    int maxDescriptionBytes;
    @Option(names = "--models-root", paramLabel = "DIR",
            description = "POST /v1/model/load takes only directories under this one (default: the folder holding "
                    + "--model, or --model itself where it is a models folder)")
    Path modelsRoot;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = new ServerConfig(host, port, itemStore, tokens.auth(), maxBatch,
                Duration.ofMillis(maxDelayMs), queue, Duration.ofMillis(deadlineMs), new RequestLimits(maxK,
                maxHistories, maxHistory, maxBodyBytes, maxIdBytes, maxTextBytes, maxCategories, maxDescriptionBytes,
                Duration.ofMillis(bodyTimeoutMs)), modelsRoot, Duration.ofSeconds(refreshSeconds));
        ModelServer.checkConfig(model, config); // before the engine and the text encoder load
        engine.start();
        CountDownLatch stopped = new CountDownLatch(1);
        try (MiniLmEncoder encoder = new MiniLmEncoder();
             ModelServer server = ModelServer.start(model, config, encoder, System.out)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "setrec-serve-shutdown"));
            System.out.println("ready: " + server.uri() + "/v1/recommend (Ctrl-C stops)");
            stopped.await();
        }
        return 0;
    }
}
