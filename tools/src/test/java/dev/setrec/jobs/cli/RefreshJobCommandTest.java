package dev.setrec.jobs.cli;

import dev.setrec.model.ModelManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code refresh-job}'s checks before anything starts (its job itself: RefreshJobKafkaTest). */
class RefreshJobCommandTest {
    @Test
    void aModelDirOrAMissingFolderIsRefusedWithOneLineBeforeAnyRefreshOrTopicIsMade(@TempDir Path tmp)
            throws IOException {
        Path modelDir = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(modelDir.resolve(ModelManifest.FILE), "{}");
        for (Path notAModelsFolder : List.of(modelDir, tmp.resolve("missing"))) {
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new RefreshJobCommand((folder, options) ->
                    fail("no refresh is made for " + folder))).setErr(new PrintWriter(err, true));
            // no broker listens on port 1: a command that went on to create the topics would fail differently
            int status = cli.execute("--bootstrap-servers", "127.0.0.1:1", "--models", notAModelsFolder.toString());
            assertEquals(2, status, err.toString());
            assertTrue(err.toString().startsWith("--models " + notAModelsFolder + " is not a models folder"),
                    err.toString());
        }
    }
}
