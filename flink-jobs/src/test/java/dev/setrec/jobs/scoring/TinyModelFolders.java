package dev.setrec.jobs.scoring;

import dev.setrec.model.ModelIO;
import dev.setrec.testing.TinyModels;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Models folders of {@link TinyModels} versions, added the way a trainer adds them. */
public final class TinyModelFolders {
    private TinyModelFolders() {
    }

    /** A {@link ModelFolderSetRec} on {@code folder} with TinyModels' hashing text encoder. */
    public static SetRecOperator.Factory factory(Path folder, Duration refreshInterval) {
        String dir = folder.toString();
        return new TestModelFactory("models-folder:" + dir,
                () -> new ModelFolderSetRec(Path.of(dir), new TinyModels.HashEncoder(), refreshInterval));
    }

    /** Saves a tiny model as version {@code name} of {@code folder}; returns its model version. */
    public static String writeVersion(Path folder, String name, long seed) throws IOException {
        return ModelIO.readManifest(ModelFolderSetRec.addVersion(folder, name, dir -> TinyModels.save(dir, seed)))
                .version();
    }
}
