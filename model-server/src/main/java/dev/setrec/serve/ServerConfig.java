package dev.setrec.serve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the model server listens, batches and limits requests.
 *
 * @param host          interface to bind; 127.0.0.1 unless the operator opens it on purpose
 * @param port          0 picks a free port (tests)
 * @param itemStore     directory of the durable store of onboarded items
 * @param token         bearer token every /v1 and /metrics call must carry; null = no authentication
 * @param maxBatch      most histories merged into one forward pass
 * @param maxQueueDelay longest the first history of a batch waits for others to join it
 * @param queueCapacity histories waiting for a batch at most; beyond, requests get 429
 * @param deadline      default per-request deadline (a request may ask for a shorter or longer one)
 * @param maxK          largest k a request may ask for
 * @param maxHistories  most histories in one request
 * @param maxHistory    most items in one history
 * @param maxBodyBytes  largest request body
 * @param modelsRoot    the only directory (with its subdirectories) models may be loaded from over the API; null =
 *                      the directory that holds the first model
 */
public record ServerConfig(String host, int port, Path itemStore, String token, int maxBatch, Duration maxQueueDelay,
                           int queueCapacity, Duration deadline, int maxK, int maxHistories, int maxHistory,
                           int maxBodyBytes, Path modelsRoot) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** The environment variable that holds the bearer token (never a flag: flags show up in ps and web UIs). */
    public static final String TOKEN_ENV = "SETREC_SERVER_TOKEN";

    public ServerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (maxBatch < 1 || queueCapacity < 1 || maxK < 1 || maxHistories < 1 || maxHistory < 1 || maxBodyBytes < 1) {
            throw new IllegalArgumentException("batch size, queue, k, histories, history and body limits must be positive");
        }
        if (maxQueueDelay.isNegative() || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("queue delay must not be negative and the deadline must be positive");
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the bearer token is empty");
        }
    }

    /** The defaults of {@code ./setrec serve}, with the item store in {@code itemStore}. */
    public static ServerConfig defaults(Path itemStore) {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, itemStore, null, 64, Duration.ofMillis(2), 1024,
                Duration.ofSeconds(1), 1000, 512, 200, 1 << 20, null);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, itemStore, token, maxBatch, maxQueueDelay, queueCapacity, deadline, maxK,
                maxHistories, maxHistory, maxBodyBytes, modelsRoot);
    }

    public ServerConfig withToken(String token) {
        return new ServerConfig(host, port, itemStore, token, maxBatch, maxQueueDelay, queueCapacity, deadline, maxK,
                maxHistories, maxHistory, maxBodyBytes, modelsRoot);
    }

    public ServerConfig withBatching(int maxBatch, Duration maxQueueDelay, int queueCapacity) {
        return new ServerConfig(host, port, itemStore, token, maxBatch, maxQueueDelay, queueCapacity, deadline, maxK,
                maxHistories, maxHistory, maxBodyBytes, modelsRoot);
    }
}
