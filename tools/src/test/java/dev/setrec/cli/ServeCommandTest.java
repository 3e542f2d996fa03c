package dev.setrec.cli;

import dev.setrec.serve.ServerConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./setrec serve} refuses an unsafe configuration with a one-line error naming the fix, before it loads an
 * engine or a model (the model paths here need not exist: the checks come first).
 */
class ServeCommandTest {
    @TempDir
    Path tmp;
    String error;

    @BeforeEach
    void noTokenInTheEnvironment() {
        // with a token in the environment a serve command would start serving and never return
        assumeTrue(System.getenv(ServerConfig.TOKEN_ENV) == null && System.getenv(ServerConfig.ADMIN_TOKEN_ENV) == null,
                "the environment holds a server token");
    }

    int serve(String... args) {
        StringWriter err = new StringWriter();
        String[] command = new String[args.length + 1];
        command[0] = "serve";
        System.arraycopy(args, 0, command, 1, args.length);
        int status = Main.commandLine().setErr(new PrintWriter(err, true)).execute(command);
        error = err.toString();
        return status;
    }

    void assertOneLineError(String... parts) {
        assertTrue(error.startsWith("error: ") && error.strip().lines().count() == 1, error);
        for (String part : parts) {
            assertTrue(error.contains(part), error + " (wanted " + part + ")");
        }
    }

    @Test
    void aNonLoopbackHostWithoutATokenIsRefused() {
        assertEquals(Main.BAD_INPUT, serve("--model", tmp.resolve("m").toString(), "--host", "0.0.0.0"));
        assertOneLineError("0.0.0.0", ServerConfig.TOKEN_ENV, "--insecure-no-auth");
    }

    @Test
    void aModelAtTheFilesystemRootNeedsAModelsRoot() {
        assertEquals(Main.BAD_INPUT, serve("--model", tmp.getRoot().resolve("m").toString()));
        assertOneLineError("filesystem root", "--models-root");
    }

    @Test
    void theAdminTokenComesFromAFileAndMustDifferFromTheScoringToken() throws IOException {
        Path scoring = Files.writeString(tmp.resolve("scoring"), "same\n");
        Path admin = Files.writeString(tmp.resolve("admin"), "same\n");
        assertEquals(Main.BAD_INPUT, serve("--model", tmp.resolve("m").toString(), "--token-file", scoring.toString(),
                "--admin-token-file", admin.toString()));
        assertOneLineError("must differ", ServerConfig.ADMIN_TOKEN_ENV);
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertEquals(Main.BAD_INPUT, serve("--model", tmp.resolve("m").toString(), "--admin-token-file",
                empty.toString()));
        assertOneLineError(empty.toString(), "empty");
    }
}
