package dev.setrec.jobs.scoring;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the model server is and the token it wants, as the job's options say them; resolved where the scoring runs
 * (a task manager, when the operator opens), so that a cluster's own settings apply and nothing of the submitting
 * machine's environment is frozen into the job. Precedence, first found wins:
 * <ul>
 *   <li>URL: {@code setrec.model-server.url}, else the task manager's {@value #URL_ENV}, else
 *       {@code http://127.0.0.1:8080};</li>
 *   <li>token: {@code setrec.model-server.token}, else the first line of {@code setrec.model-server.token-file}
 *       (read on the task manager), else the task manager's {@value JobOptions#MODEL_SERVER_TOKEN_ENV} (the model
 *       server's own variable), else none.</li>
 * </ul>
 */
public record ModelServerEndpoint(String url, String token) {
    /** The task manager's environment variable naming the model server where the job's options do not. */
    public static final String URL_ENV = "SETREC_MODEL_SERVER_URL";
    /** Where a token may come from, for messages. */
    public static final String TOKEN_SOURCES = JobOptions.MODEL_SERVER_TOKEN.key() + ", "
            + JobOptions.MODEL_SERVER_TOKEN_FILE.key() + " or the task managers' " + JobOptions.MODEL_SERVER_TOKEN_ENV;

    /** Without the token: endpoints end up in logs and messages. */
    @Override
    public String toString() {
        return url + (token == null ? "" : " (with a token)");
    }

    /** What the job's options say; shipped with the job graph and {@link #resolve resolved} on the task manager. */
    public record Settings(String url, String token, String tokenFile) implements Serializable {
        /** The model-server settings {@code options} set explicitly (defaults are applied when resolved). */
        public static Settings of(ReadableConfig options) {
            Settings settings = new Settings(options.getOptional(JobOptions.MODEL_SERVER_URL).orElse(null),
                    options.getOptional(JobOptions.MODEL_SERVER_TOKEN).orElse(null),
                    options.getOptional(JobOptions.MODEL_SERVER_TOKEN_FILE).orElse(null));
            if (settings.url != null) {
                checkedUrl(settings.url, JobOptions.MODEL_SERVER_URL.key()); // fail at submission, not on the cluster
            }
            return settings;
        }

        /** The URL in force where {@code environment} is the process's environment. */
        public String url(Map<String, String> environment) {
            if (url != null) {
                return checkedUrl(url, JobOptions.MODEL_SERVER_URL.key());
            }
            return nonBlank(environment.get(URL_ENV)).map(env -> checkedUrl(env, URL_ENV))
                    .orElseGet(() -> checkedUrl(JobOptions.MODEL_SERVER_URL.defaultValue(), "the default URL"));
        }

        /** The endpoint in force where {@code environment} is the process's environment (the token file is read). */
        public ModelServerEndpoint resolve(Map<String, String> environment) throws IOException {
            return new ModelServerEndpoint(url(environment), token(environment));
        }

        private String token(Map<String, String> environment) throws IOException {
            if (token != null) {
                return nonBlank(token).orElse(null);
            }
            if (tokenFile != null) {
                String firstLine = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).lines().findFirst()
                        .orElse("");
                return nonBlank(firstLine).orElseThrow(() -> new IOException(JobOptions.MODEL_SERVER_TOKEN_FILE.key()
                        + " " + tokenFile + " holds no token"));
            }
            return nonBlank(environment.get(JobOptions.MODEL_SERVER_TOKEN_ENV)).orElse(null);
        }

        /** Without the token, as {@link ModelServerEndpoint#toString()}. */
        @Override
        public String toString() {
            return "ModelServerEndpoint.Settings[" + (url == null ? "url from " + URL_ENV + " or the default" : url)
                    + (token == null ? "" : ", a token") + (tokenFile == null ? "" : ", token file " + tokenFile) + "]";
        }
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** {@code url} without trailing slashes; fails unless it is an http(s) URL, naming {@code source}. */
    private static String checkedUrl(String url, String source) {
        String stripped = url.strip().replaceAll("/+$", "");
        String scheme = URI.create(stripped).getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException(source + " must be an http(s) URL, not " + url);
        }
        return stripped;
    }
}
