package dev.setrec.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A first quickstart's console, read line by line into the benchmark row. */
class QuickstartFirstRunTest {
    private static final List<String> CONSOLE = List.of(
            "setrec: building [6/6] tools (at 1:02)",
            "setrec: built in 1 min 5 s (Maven's log: /tmp/clone/tools/target/setrec-build.log)",
            "library logs: /tmp/clone/runs/quickstart-20261207-111648/libraries.log",
            "data: generated-e673473f: 1500 users, 224 items (32 cold), 13556/1500/2266 train/valid/test interactions",
            "popularity fallback serving since 11:16:48: no quick SETRec yet; it trains in the background",
            "models   - | training: SASRec for the CF tokens epoch 2/4, SETRec next",
            "milestone: first recommendation after 47.2 s of the run, 113.9 s after ./setrec started",
            "replayed the live window (3,766 events); SETRec is still training (SETRec epoch 1/4, about 1 min left)",
            "SETRec 7a018b60e90ac945 serving since 11:19:28, after 112 s; before it: popularity fallback",
            "milestone: SETRec serving after 160.0 s of the run, 226.7 s after ./setrec started",
            "summary:");

    @Test
    void readsTheDataSetAndBothMilestonesTimedFromTheLaunch() {
        QuickstartFirstRun run = new QuickstartFirstRun();
        CONSOLE.forEach(run::read);
        assertTrue(run.complete());
        JsonObject row = run.row("./setrec bench quickstart");
        assertEquals("quickstart", row.get("benchmark").getAsString());
        assertEquals("generated-e673473f", row.get("dataset").getAsString());
        assertEquals(113.9, row.getAsJsonObject("metrics").get("first_rec_s").getAsDouble());
        assertEquals(226.7, row.getAsJsonObject("metrics").get("setrec_serving_s").getAsDouble());
        assertEquals("./setrec bench quickstart", row.get("command").getAsString());
        assertFalse(row.get("machine").getAsString().isBlank(), "the machine is recorded");
    }

    @Test
    void aRunThatEndedBeforeSetRecServedMakesNoRow() {
        QuickstartFirstRun run = new QuickstartFirstRun();
        CONSOLE.subList(0, 8).forEach(run::read);
        assertFalse(run.complete());
        assertThrows(IllegalStateException.class, () -> run.row("./setrec bench quickstart"));
    }
}
