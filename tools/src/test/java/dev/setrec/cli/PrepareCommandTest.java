package dev.setrec.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./setrec prepare on a generated raw log, then train and evaluate on what it wrote, as a user would. */
class PrepareCommandTest {
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    @TempDir
    Path tmp;
    private String lastError;
    private String lastOutput;

    private int run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
        } finally {
            System.setOut(stdout);
            lastOutput = captured.toString(StandardCharsets.UTF_8);
            lastError = err.toString();
        }
    }

    /**
     * A shop's raw log: 200 users walk 60 products (mostly to the next one) over 100 days, with ISO timestamps,
     * extra columns, repeats, and products released late; a catalogue whose titles hold commas and quotes.
     */
    private void writeRawLog(Path events, Path items) throws IOException {
        Random random = new Random(3);
        StringBuilder log = new StringBuilder("session,timestamp,item,user\n");
        for (int u = 0; u < 200; u++) {
            int product = random.nextInt(50);
            for (int step = 0; step < 12; step++) {
                int day = step * 8 + random.nextInt(8);
                product = day > 85 && random.nextInt(3) == 0 ? 50 + random.nextInt(10)
                        : random.nextInt(10) < 8 ? (product + 1) % 50 : random.nextInt(50);
                Instant time = START.plus(day, ChronoUnit.DAYS).plusSeconds(random.nextInt(86_400));
                log.append("s").append(random.nextInt(1000)).append(',').append(time);
                log.append(",P").append(product).append(",customer-").append(u).append('\n');
            }
        }
        Files.writeString(events, log);
        StringBuilder catalogue = new StringBuilder("item,title,brand,categories\n");
        for (int p = 0; p < 60; p++) {
            catalogue.append("P").append(p).append(",\"Puzzle ").append(p).append(", the \"\"classic\"\"\",Acme,")
                    .append("Toys > Puzzles\n");
        }
        Files.writeString(items, catalogue);
    }

    @Test
    void prepareThenTrainAndEvaluateOnTheResult() throws IOException {
        Path events = tmp.resolve("events.csv");
        Path items = tmp.resolve("items.csv");
        writeRawLog(events, items);
        Path data = tmp.resolve("my-shop");
        assertEquals(0, run("prepare", "--events", events.toString(), "--items", items.toString(), "--out",
                data.toString(), "--valid-days", "10", "--test-days", "10", "--min-train", "2"), lastError);
        assertTrue(lastOutput.contains("timestamps read as ISO-8601"), lastOutput);
        assertTrue(lastOutput.contains("wrote " + data), lastOutput);
        JsonObject stats = new Gson().fromJson(Files.readString(data.resolve("stats.json")), JsonObject.class);
        assertTrue(stats.get("n_cold_items").getAsInt() > 0, stats.toString());
        assertTrue(Files.readString(data.resolve("items.tsv")).contains("\tPuzzle 7, the \"classic\"\t"));

        Path model = tmp.resolve("pop");
        assertEquals(0, run("train", "--model", "mostpop", "--data", data.toString(), "--out", model.toString()),
                lastError);
        Path metrics = tmp.resolve("metrics.json");
        assertEquals(0, run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                metrics.toString()), lastError);
        JsonObject all = new Gson().fromJson(Files.readString(metrics), JsonObject.class).getAsJsonObject("all");
        long testUsers;
        try (var rows = Files.lines(data.resolve("interactions.tsv"))) {
            testUsers = rows.filter(r -> r.endsWith("\ttest")).map(r -> r.split("\t")[0]).distinct().count();
        }
        assertTrue(testUsers > 100, "most customers buy in the last ten days: " + testUsers);
        assertEquals(testUsers, all.get("users").getAsInt(), all.toString());
    }

    @Test
    void badRowsStopTheCommandWithTheirLinesAndWriteNothing() throws IOException {
        Path events = tmp.resolve("events.tsv");
        Files.writeString(events, "user\titem\ttimestamp\na\t1\t1700000000\na\t2\n\t3\t1700000100\n");
        Path data = tmp.resolve("data");
        assertEquals(Main.BAD_INPUT, run("prepare", "--events", events.toString(), "--out", data.toString()));
        assertEquals("error: 2 bad rows, more than the 0 allowed to be skipped:\n"
                + "  events.tsv:3: expected 3 fields as in the header but found 2\n"
                + "  events.tsv:4: user is empty\n"
                + "(--max-bad-rows N skips up to N bad rows and counts them; nothing was written)\n",
                lastError.replace(System.lineSeparator(), "\n"));
        assertFalse(Files.exists(data));
        assertEquals(0, run("prepare", "--events", events.toString(), "--out", data.toString(), "--max-bad-rows",
                "2", "--test-share", "0", "--valid-share", "0"), lastError);
        assertTrue(lastOutput.contains("2 bad rows skipped"), lastOutput);
    }

    @Test
    void windowsAreSharesOrDaysNotBoth() throws IOException {
        Path events = tmp.resolve("events.csv");
        Files.writeString(events, "user,item,timestamp\na,1,1700000000\n");
        assertEquals(Main.BAD_INPUT, run("prepare", "--events", events.toString(), "--out", tmp.resolve("d")
                .toString(), "--test-days", "3"));
        assertEquals("error: --valid-days and --test-days go together", lastError.strip());
        assertEquals(Main.BAD_INPUT, run("prepare", "--events", events.toString(), "--out", tmp.resolve("d")
                .toString(), "--test-days", "3", "--valid-days", "3", "--test-share", "0.2"));
        assertEquals("error: give the windows as shares or as days, not both", lastError.strip());
    }
}
