package dev.setrec.models;

import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.MostPop;
import dev.setrec.model.Recommender;
import dev.setrec.model.Transitions;
import dev.setrec.model.sasrec.SasRec;
import dev.setrec.model.setrec.SetRec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a model dir of any type. The dispatch on the type lives here, above {@code model} and its sub-packages,
 * so that the model core ({@link ModelIO}) does not depend on the model types that depend on it.
 */
public final class ModelDirs {
    private ModelDirs() {
    }

    /** Loads any model type written by {@link ModelIO#save}. */
    public static Recommender load(Path dir) throws IOException {
        ModelManifest manifest = ModelIO.readManifest(dir);
        return switch (manifest.type()) {
            case MostPop.TYPE -> MostPop.load(dir, manifest);
            case Transitions.TYPE -> Transitions.load(dir, manifest);
            case SasRec.TYPE -> SasRec.load(dir, manifest);
            case SetRec.TYPE -> SetRec.load(dir, manifest);
            default -> throw new IOException(dir.resolve(ModelManifest.FILE) + ": unknown model type '"
                    + manifest.type() + "' (expected mostpop, transitions, sasrec or setrec)");
        };
    }
}
