package dev.setrec.jobs.bench.faults;

import dev.setrec.model.ModelIO;
import dev.setrec.model.Recommender;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.models.ModelDirs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The SETRec model the fault scenarios' jobs serve: its directory, its version (what the job's recommendations name)
 * and every item id it knows, in catalogue order. The scenarios click catalogue items and, with k covering the
 * catalogue, read each recommendation as the catalogue minus the user's history.
 */
public record ServedModel(Path dir, String version, List<String> catalogue) {
    /** Distinct items per user in the scenarios (the task-manager loss's clicks per user). */
    public static final int MIN_CATALOGUE = 20;

    public ServedModel {
        catalogue = List.copyOf(catalogue);
        if (catalogue.size() < MIN_CATALOGUE) {
            throw new IllegalArgumentException(dir + " knows " + catalogue.size() + " items; the fault scenarios need "
                    + "at least " + MIN_CATALOGUE);
        }
    }

    /** Reads the model dir (loading the model once, to list its items). */
    public static ServedModel load(Path dir) throws IOException {
        try (Recommender loaded = ModelDirs.load(dir)) {
            if (!(loaded instanceof SetRec setrec)) {
                throw new IOException(dir + " holds no SETRec model");
            }
            return new ServedModel(dir, ModelIO.readManifest(dir).version(), List.of(setrec.items().ids()));
        }
    }
}
