package dev.setrec.jobs.scoring;

import dev.setrec.testing.TinyModels;

import java.nio.file.Path;
import java.time.Duration;

/** The job's operator on a models folder of {@link TinyModels} versions. */
public final class TinyModelFolders {
    private TinyModelFolders() {
    }

    /** A {@link ModelFolderSetRec} on {@code folder} with TinyModels' hashing text encoder. */
    public static SetRecOperator.Factory factory(Path folder, Duration refreshInterval) {
        String dir = folder.toString();
        return new TestModelFactory("models-folder:" + dir,
                () -> new ModelFolderSetRec(Path.of(dir), new TinyModels.HashEncoder(), refreshInterval));
    }
}
