package dev.setrec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.jobs.scoring.RemoteSetRec;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./setrec job} against a real broker, with a job that fails in a known way: the model server it scores on
 * refuses its token, which the job takes for a failure that no restart mends. The console shows the job failed
 * for good with the root cause, and the command ends with exit status 1 and the cause. (The model server is a
 * stand-in that answers 401 to everything: the test is about the console, not the server.)
 */
@Timeout(180)
class JobCommandTest {
    @TempDir
    Path checkpoints;

    @Test
    void aJobThatFailsForGoodEndsTheCommandWithItsCauseAndStatusOne() throws Exception {
        HttpServer refusing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        refusing.createContext("/", exchange -> {
            byte[] body = "{\"error\":\"wrong token\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        refusing.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String server = "http://127.0.0.1:" + refusing.getAddress().getPort();
        int status;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            status = runCapturing(out, err, "job", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--checkpoint-dir", checkpoints.toString(),
                    "--set", JobOptions.SCORING_MODE.key() + "=" + Operators.REMOTE,
                    "--set", JobOptions.MODEL_SERVER_URL.key() + "=" + server,
                    "--set", JobOptions.MODEL_SERVER_TOKEN.key() + "=not-the-token");
        } finally {
            refusing.stop(0);
        }

        String console = out.toString(StandardCharsets.UTF_8);
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(JobCommand.JOB_ENDED, status, console);
        assertTrue(console.contains("Flink's REST API on http"), console);
        String cause = RemoteSetRec.RefusedException.class.getName() + ": model server " + server
                + ": GET /health/ready: 401 wrong token";
        assertTrue(console.contains("job      failed for good | no restarts | 1 failure, "), console);
        assertTrue(console.contains(" ago: " + cause + "\n"), console);
        assertTrue(errors.contains("error: the job failed for good: " + cause + "\n"), errors);
    }

    /** Runs {@code ./setrec args} with System.out and System.err going to the given buffers. */
    private static int runCapturing(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return SetrecCli.commandLine().execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
