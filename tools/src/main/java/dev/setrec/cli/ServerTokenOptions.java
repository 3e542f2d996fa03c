package dev.setrec.cli;

import dev.setrec.serve.ServerConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The model server's bearer tokens as a picocli mixin: where they are read from, and the insecure opt-out. */
final class ServerTokenOptions {
    @Option(names = "--token-file", paramLabel = "FILE",
            description = "require this bearer token (first line of FILE; or the environment variable "
                    + ServerConfig.TOKEN_ENV + ")")
    Path tokenFile;
    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "the admin token for model load and rollback (first line of FILE; or the environment "
                    + "variable " + ServerConfig.ADMIN_TOKEN_ENV + "); without one, those are refused unless the "
                    + "server has no token at all and listens on loopback")
    Path adminTokenFile;
    @Option(names = ServerConfig.INSECURE_NO_AUTH_FLAG,
            description = "serve a non-loopback --host without a bearer token (refused otherwise)")
    boolean insecureNoAuth;

    /** The tokens from their files, else from the environment. */
    ServerConfig.Auth auth() throws IOException {
        return new ServerConfig.Auth(token(tokenFile, ServerConfig.TOKEN_ENV),
                token(adminTokenFile, ServerConfig.ADMIN_TOKEN_ENV), insecureNoAuth);
    }

    /** The first line of {@code file} where given, else the environment variable; null where neither holds one. */
    private static String token(Path file, String variable) throws IOException {
        if (file != null) {
            String token = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("token file " + file + " is empty");
            }
            return token;
        }
        String fromEnv = System.getenv(variable);
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
    }
}
