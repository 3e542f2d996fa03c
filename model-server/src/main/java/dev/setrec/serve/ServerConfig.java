package dev.setrec.serve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the model server listens, authenticates, batches and limits requests.
 *
 * @param host          interface to bind; 127.0.0.1 unless the operator opens it on purpose
 * @param port          0 picks a free port (tests)
 * @param itemStore     directory of the durable store of onboarded items
 * @param auth          the bearer tokens and whether a non-loopback bind may go without one
 * @param maxBatch      most histories merged into one forward pass
 * @param maxQueueDelay longest the first history of a batch waits for others to join it
 * @param queueCapacity histories waiting for a batch at most; beyond, requests get 429
 * @param deadline      default per-request deadline (a request may ask for a shorter or longer one)
 * @param limits        how large requests and their strings may be
 * @param modelsRoot    the only directory (with its subdirectories) models may be loaded from over the API; null =
 *                      the directory that holds the first model. Never a filesystem root.
 * @param modelsRefresh how often a models folder served (docs/server.md) is looked at for a newer version
 */
public record ServerConfig(String host, int port, Path itemStore, Auth auth, int maxBatch, Duration maxQueueDelay,
                           int queueCapacity, Duration deadline, RequestLimits limits, Path modelsRoot,
                           Duration modelsRefresh) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** The environment variable that holds the bearer token (never a flag: flags show up in ps and web UIs). */
    public static final String TOKEN_ENV = "SETREC_SERVER_TOKEN";
    /** The environment variable that holds the admin token for loading models and rolling back. */
    public static final String ADMIN_TOKEN_ENV = "SETREC_ADMIN_TOKEN";
    /** The flag that lets a server on a non-loopback address run without a token. */
    public static final String INSECURE_NO_AUTH_FLAG = "--insecure-no-auth";
    /** How often a models folder is looked at for a newer version unless the operator says otherwise. */
    public static final Duration DEFAULT_MODELS_REFRESH = Duration.ofSeconds(30);

    /**
     * Who may call what (see docs/server.md, "Tokens").
     *
     * @param token          bearer token of scoring, onboarding, model info and metrics; null = none asked for
     * @param adminToken     bearer token of model load and rollback; null = those are refused (403), except on a
     *                       loopback server without any token (development)
     * @param insecureNoAuth the operator's consent to serve a non-loopback address without a token
     */
    public record Auth(String token, String adminToken, boolean insecureNoAuth) {
        public static final Auth NONE = new Auth(null, null, false);

        public Auth {
            if ((token != null && token.isBlank()) || (adminToken != null && adminToken.isBlank())) {
                throw new IllegalArgumentException("a bearer token is empty");
            }
            if (token != null && token.equals(adminToken)) {
                throw new IllegalArgumentException("the admin token (" + ADMIN_TOKEN_ENV + ") must differ from the "
                        + "scoring token (" + TOKEN_ENV + "): the scoring token must not grant model management");
            }
        }
    }

    public ServerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (maxBatch < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("batch size and queue must be positive");
        }
        if (maxQueueDelay.isNegative() || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("queue delay must not be negative and the deadline must be positive");
        }
        if (modelsRefresh.isNegative() || modelsRefresh.isZero()) {
            throw new IllegalArgumentException("the models folder refresh interval must be positive");
        }
    }

    /** The defaults of {@code ./setrec serve}, with the item store in {@code itemStore}. */
    public static ServerConfig defaults(Path itemStore) {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, itemStore, Auth.NONE, 64, Duration.ofMillis(2), 1024,
                Duration.ofSeconds(1), RequestLimits.DEFAULTS, null, DEFAULT_MODELS_REFRESH);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }

    public ServerConfig withAuth(Auth auth) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }

    public ServerConfig withToken(String token) {
        return withAuth(new Auth(token, auth.adminToken(), auth.insecureNoAuth()));
    }

    public ServerConfig withAdminToken(String adminToken) {
        return withAuth(new Auth(auth.token(), adminToken, auth.insecureNoAuth()));
    }

    /** Serves a non-loopback address without a token (the operator's {@value #INSECURE_NO_AUTH_FLAG}). */
    public ServerConfig withInsecureNoAuth() {
        return withAuth(new Auth(auth.token(), auth.adminToken(), true));
    }

    public ServerConfig withBatching(int maxBatch, Duration maxQueueDelay, int queueCapacity) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }

    public ServerConfig withLimits(RequestLimits limits) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }

    public ServerConfig withModelsRoot(Path modelsRoot) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }

    public ServerConfig withModelsRefresh(Duration modelsRefresh) {
        return new ServerConfig(host, port, itemStore, auth, maxBatch, maxQueueDelay, queueCapacity, deadline, limits,
                modelsRoot, modelsRefresh);
    }
}
