package dev.setrec.jobs.bench;

import dev.setrec.models.Refresh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether a refresh trains, read from the lines its report gets as it runs. */
class RefreshReportTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("refreshes.log");
    }

    private void append(String line) throws IOException {
        Files.writeString(file(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    @Test
    void aRefreshTrainsFromItsTrainingLineUntilItsOutcome() throws Exception {
        RefreshReport report = new RefreshReport(file());
        assertFalse(report.training(), "no report yet");

        append(Refresh.REPORT_BEGINS + "v1: 12000 events");
        assertFalse(report.training(), "the window is read, nothing trains yet");
        append(Refresh.TRAINING_BEGINS + " before the slice");
        append("epoch 1: loss 3.2");
        assertTrue(report.training());
        append(Refresh.PROMOTED + " as v2: the candidate beats the serving version");
        assertFalse(report.training());
        assertEquals(1, report.ended());

        append(Refresh.REPORT_BEGINS + "v2: 800 events");
        append(Refresh.REFUSED + ": 800 events, fewer than 1000");
        assertFalse(report.training(), "refused before any training");
        append(Refresh.REPORT_BEGINS + "v2: 5000 events");
        append(Refresh.TRAINING_BEGINS + " before the slice");
        assertTrue(report.training(), "an earlier refusal does not hide a later training");
        append(Refresh.REPORT_BEGINS + "v2: 6000 events");
        assertFalse(report.training(), "a refresh that failed without an outcome no longer counts once the next one "
                + "begins");
        assertEquals(2, report.ended());
    }

    @Test
    void samplingGivesTheShareOfTimeARefreshTrainedAndTheRefreshesThatEnded() throws Exception {
        append(Refresh.REPORT_BEGINS + "v1: 12000 events");
        append(Refresh.TRAINING_BEGINS + " before the slice");
        RefreshReport report = new RefreshReport(file());
        report.awaitTraining(Duration.ofSeconds(1));
        double share;
        int ended;
        try (RefreshReport.Sampling sampling = report.sample()) {
            Thread.sleep(1000);
            append(Refresh.REFUSED + ": no lead beyond chance");
            Thread.sleep(1000);
            share = sampling.trainingShare();
            ended = sampling.refreshesEnded();
        }
        assertTrue(share > 0.2 && share < 0.8, "trained for about half the sampling: " + share);
        assertEquals(1, ended);
        assertThrows(IllegalStateException.class, () -> report.awaitTraining(Duration.ofMillis(300)),
                "nothing trains any more");
    }
}
