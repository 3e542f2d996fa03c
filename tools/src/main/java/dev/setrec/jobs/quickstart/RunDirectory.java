package dev.setrec.jobs.quickstart;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The folder a quickstart run keeps after its end, {@code runs/quickstart-<UTC start time>} under the setrec home
 * (git-ignored): the run's report and its library log go there. One folder per run, so that runs can be compared.
 */
public final class RunDirectory {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private RunDirectory() {
    }

    /** The absolute path of the folder of the quickstart run started at {@code started}; not created here. */
    public static Path of(Path home, Instant started) {
        return home.resolve("runs").resolve("quickstart-" + STAMP.format(started)).toAbsolutePath().normalize();
    }
}
