package dev.setrec.testing;

import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.models.ModelFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Versions of a models folder, added the way a trainer adds them: {@link TinyModels} and broken ones. */
public final class TinyModelVersions {
    private TinyModelVersions() {
    }

    /** Saves a tiny model as version {@code name} of {@code folder}; returns its model version. */
    public static String write(Path folder, String name, long seed) throws IOException {
        return ModelIO.readManifest(ModelFolder.addVersion(folder, name, dir -> TinyModels.save(dir, seed)))
                .version();
    }

    /** Adds version {@code name}, complete by the folder's rules, whose model.json does not parse. */
    public static Path writeUnparsable(Path folder, String name) throws IOException {
        return ModelFolder.addVersion(folder, name, dir -> {
            TinyModels.save(dir, 9);
            Files.writeString(dir.resolve(ModelManifest.FILE), "{ not json");
        });
    }
}
