package dev.setrec.e2e;

import dev.setrec.e2e.support.PipelineJob;
import dev.setrec.e2e.support.RunningJob;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TestCluster;
import dev.setrec.e2e.support.TopicReader;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.model.ModelIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model dir that cannot be loaded (a copy of the small model with its parameter file cut in half): restarting
 * cannot mend it, so the job fails at once, without going through its restart attempts, and its error names the
 * model dir and what is wrong with it.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrokenModelIT {
    /** The parameter file of a saved model (named tensors; ParameterStore's format). */
    private static final String PARAMETERS = "weights.bin";


    @Test
    void aModelDirThatDoesNotLoadFailsTheJobOnceNamingTheDirAndTheProblem(@TempDir Path state, @TempDir Path copies)
            throws Exception {
        Path broken = copyWithTruncatedParameters(SmallModel.get().dir(), copies.resolve("broken-model"));
        String problem = assertThrows(IOException.class, () -> ModelIO.load(broken).close(),
                "the truncated copy loaded").getMessage();

        try (TestCluster cluster = TestCluster.start(1, 2);
             RunningJob job = cluster.submit(PipelineJob.named("broken-model", state).modelDir(broken)
                     .restartAttempts(3))) {
            Throwable error = job.awaitEnd(TopicReader.WAIT).orElseThrow(() ->
                    new AssertionError("the job ended without an error"));
            List<String> messages = messages(error);
            assertEquals(0, job.restarts(), "restarts before the job failed; its error: " + messages);
            assertTrue(messages.stream().anyMatch(message -> message.contains(broken.toString())
                    && message.contains(problem)), "no message names " + broken + " and the problem '" + problem
                    + "': " + messages);
        }
    }

    /** A copy of {@code model} in {@code copy} whose parameter file ends half way. */
    private static Path copyWithTruncatedParameters(Path model, Path copy) throws IOException {
        Files.createDirectories(copy);
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        try (RandomAccessFile parameters = new RandomAccessFile(copy.resolve(PARAMETERS).toFile(), "rw")) {
            parameters.setLength(parameters.length() / 2);
        }
        return copy;
    }

    /** The messages of the error and its causes, outermost first. */
    private static List<String> messages(Throwable error) {
        List<String> messages = new ArrayList<>();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            messages.add(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        return messages;
    }
}
