package dev.setrec.model.setrec;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.model.ModelManifest;

import java.io.IOException;
import java.nio.file.Path;

/**
 * SETRec's part of a model dir: its weights and item tables next to model.json, whose "config" holds the
 * architecture, the parameter count and the score mix.
 */
final class SetRecFiles {
    static final String WEIGHTS = "weights.bin";

    private SetRecFiles() {
    }

    /** What model.json keeps as "config". */
    static JsonObject config(SetRec model) {
        JsonObject json = new Gson().toJsonTree(model.architecture()).getAsJsonObject();
        json.addProperty("parameters", model.parameterCount());
        ScoreMix mix = model.mix();
        json.addProperty("beta", mix.beta());
        json.addProperty("beta_cold", mix.betaCold());
        json.addProperty("cold_shift", mix.coldShift());
        return json;
    }

    static void save(SetRec model, Path dir) throws IOException {
        model.network().parameters().save(dir.resolve(WEIGHTS));
        ItemTables.write(dir, model.items());
    }

    /** Restores a model saved by {@link #save}; the manifest has been validated by ModelIO. */
    static SetRec load(Path dir, ModelManifest manifest) throws IOException {
        // model.json of older models holds training settings too; only the architecture is read
        JsonObject saved = manifest.config();
        SetRecArchitecture architecture = new Gson().fromJson(saved, SetRecArchitecture.class);
        SetRec model = SetRec.forServing(architecture, ItemTables.read(dir, manifest.numItems()));
        try {
            model.network().parameters().load(ModelManifest.requireFile(dir, WEIGHTS));
            float beta = saved.get("beta").getAsFloat();
            // older models: one beta for every item, no shift
            ScoreMix mix = new ScoreMix(beta, saved.has("beta_cold") ? saved.get("beta_cold").getAsFloat() : beta,
                    saved.has("cold_shift") ? saved.get("cold_shift").getAsFloat() : 0f);
            model.catalogue().refresh();
            model.catalogue().setMix(mix);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
