package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.setrec.util.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A training's log read as it is written: which model, which epoch, about how long left. */
class TrainingProgressTest {
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();
    private final TrainingProgress progress = new TrainingProgress(file);
    private final PrintStream log = new PrintStream(progress, true, StandardCharsets.UTF_8);

    @Test
    void followsSasRecForTheCfTokensThenSetRecsEpochsWithTheTimeLeftAndWritesTheLogThrough() {
        assertEquals("getting ready", progress.describe());
        log.println("training SASRec for the CF tokens (pass --cf-model DIR to reuse one)");
        log.println("SASRec: 12345 parameters, 100 sequences, 900 training targets, width 64, 2 blocks");
        log.println("epoch 2/20 [======                  ]  25% 225/900 90.0 targets/s ETA 0:08 loss 7.1234");
        assertEquals("SASRec for the CF tokens epoch 2/20, SETRec next", progress.describe());

        log.println("SETRec: 23456 parameters, n_sem 4, width 64, 2 blocks, causal mask, 900 training targets");
        assertEquals("getting ready", progress.describe(), "SETRec's first epoch has not begun");
        log.println("epoch 1/6 [============            ]  50% 450/900 7.5 targets/s ETA 1:00 loss 9.8765");
        assertEquals("SETRec epoch 1/6, about 11 min left", progress.describe(),
                "a minute left in this epoch, of about two, and five more such epochs");
        log.println("epoch 1/6 [========================] 100% 900/900 6.0 targets/s in 2:30 loss 9.1234");
        log.println("epoch 1: loss 9.1234, valid Recall@10 0.0500 (best)");
        log.println("epoch 5/6 [==================      ]  75% 675/900 6.0 targets/s ETA 0:37 loss 8.0000");
        assertEquals("SETRec epoch 5/6, about 3 min left", progress.describe(), "37 s and one epoch of 2:30");
        log.println("epoch 6/6 [======================= ]  99% 891/900 6.0 targets/s ETA 0:01 loss 8.0000");
        assertEquals("SETRec epoch 6/6, under a minute left", progress.describe());
        String written = file.toString(StandardCharsets.UTF_8);
        assertEquals(9, written.lines().count(), "every line reaches the log file");
        assertEquals("epoch 6/6 [======================= ]  99% 891/900 6.0 targets/s ETA 0:01 loss 8.0000",
                written.lines().reduce((first, second) -> second).orElseThrow());
    }

    @Test
    void readsTheProgressBarRedrawnInPlaceOnAConsole() {
        log.println("SETRec: 23456 parameters, n_sem 4, width 64, 2 blocks, causal mask, 900 training targets");
        try (Progress bar = new Progress(log, "epoch 3/4", 900, "targets", true)) {
            bar.advance(300);
            log.flush();
        }
        assertEquals("SETRec epoch 3/4, under a minute left", progress.describe());
    }
}
