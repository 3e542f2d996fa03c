package dev.setrec.testing;

import com.google.gson.JsonObject;
import dev.setrec.data.ItemText;
import dev.setrec.model.ModelIO;
import dev.setrec.model.setrec.ItemInputs;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.model.setrec.SetRecArchitecture;
import dev.setrec.model.setrec.SetRecTraining;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.TextEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Untrained SETRec model dirs and a hashing text encoder, for tests about serving (batching, versions, durability,
 * limits, live swaps), not about what a model learned: neither needs training nor the real MiniLM.
 */
public final class TinyModels {
    public static final int ITEMS = 40;
    public static final int TEXT_DIM = 8;

    private TinyModels() {
    }

    /** A model dir over items "0".."39" (the last 10 cold), its weights drawn from {@code seed}. */
    public static Path save(Path dir, long seed) throws IOException {
        // untrained, so the score mix is the untrained model's: beta 0.5 for every item, no shift
        SetRecArchitecture architecture = SetRecArchitecture.builder().dim(16).blocks(1).ffnDim(32).maxLen(10)
                .semTokens(2).build();
        Random random = new Random(seed);
        float[][] cf = new float[ITEMS][8];
        float[][] text = new float[ITEMS][];
        boolean[] cold = new boolean[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            for (int j = 0; j < 8; j++) {
                cf[i][j] = (float) random.nextGaussian();
            }
            text[i] = HashEncoder.vector(ItemTexts.describe(textOf(i)));
            cold[i] = i >= 30;
        }
        try (SetRec model = new SetRec(architecture, ItemInputs.numbered(cf, text, cold),
                SetRecTraining.builder().seed(seed).build())) {
            ModelIO.save(model, dir, new JsonObject());
        }
        return dir;
    }

    /** The text item {@code i} was "trained" with: onboarding it again with this text changes nothing. */
    public static ItemText textOf(int i) {
        return ItemText.of("item " + i, List.of(), "", "");
    }

    /** Unit vectors from the text's hash: equal texts, equal vectors. */
    public static final class HashEncoder implements TextEncoder {
        public static float[] vector(String text) {
            Random random = new Random(text.hashCode());
            float[] v = new float[TEXT_DIM];
            double norm = 0;
            for (int j = 0; j < TEXT_DIM; j++) {
                v[j] = (float) random.nextGaussian();
                norm += v[j] * v[j];
            }
            for (int j = 0; j < TEXT_DIM; j++) {
                v[j] /= (float) Math.sqrt(norm);
            }
            return v;
        }

        @Override
        public String id() {
            return "hash-" + TEXT_DIM;
        }

        @Override
        public int dim() {
            return TEXT_DIM;
        }

        @Override
        public float[][] encode(List<String> texts) {
            return texts.stream().map(HashEncoder::vector).toArray(float[][]::new);
        }

        @Override
        public void close() {
        }
    }
}
