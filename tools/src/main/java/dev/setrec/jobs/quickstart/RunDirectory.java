package dev.setrec.jobs.quickstart;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Where one run keeps what outlives it (its library log, ...): {@code runs/<command>-<UTC start time>} under the
 * setrec home, e.g. {@code runs/quickstart-20261207-081924}. Runs started within the same second get a suffix.
 */
public final class RunDirectory {
    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private RunDirectory() {
    }

    /** Creates a new, empty run directory of {@code command} under {@code home}. */
    public static Path create(Path home, String command) throws IOException {
        Path runs = Files.createDirectories(home.resolve("runs"));
        String name = command + "-" + STARTED.format(Instant.now());
        for (int attempt = 1; ; attempt++) {
            Path dir = runs.resolve(attempt == 1 ? name : name + "-" + attempt);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException taken) {
                // another run started in the same second: take the next name
            }
        }
    }
}
