package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationReferenceTest {
    private final String rendered = ConfigurationReference.render(SetrecCli.commandLine());

    @Test
    void theCommittedFileIsWhatTheCodeSays() throws IOException {
        Path committed = repositoryRoot().resolve("docs/configuration.md");
        // not assertEquals: its message would print both files
        assertTrue(rendered.equals(Files.readString(committed)),
                committed + " is out of date: run " + ConfigurationReference.REGENERATE + " and commit it");
    }

    @Test
    void everyJobOptionHasARowWithItsDefault() {
        for (ConfigOption<?> option : JobOptions.all()) {
            assertTrue(rendered.contains("| `" + option.key() + "` |"), option.key());
        }
        assertTrue(rendered.contains("| `setrec.history.ttl` | 30 d |"), rendered);
        assertTrue(rendered.contains("| `setrec.kafka.delivery` | at-least-once |"), rendered);
    }

    @Test
    void everyVisibleCommandHasItsOptionsWithTheirDefaults() {
        assertTrue(rendered.contains("### `setrec bench server`"), rendered);
        assertTrue(rendered.contains("| `--max-batch <maxBatch>` | 64 |"), rendered);
        assertTrue(rendered.contains("### `setrec quickstart`"), rendered);
        assertFalse(rendered.contains("`setrec docs`"), "the hidden command stays out");
        assertFalse(rendered.contains("--version"), "help options stay out");
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root above " + Path.of("").toAbsolutePath());
    }
}
