package dev.setrec.model;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Setting;
import dev.setrec.model.sasrec.SasRec;
import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.testing.PlantedSequences;
import dev.setrec.models.ModelDirs;
import dev.setrec.models.Training;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SasRecTest {
    /** Small enough to train in well under a minute on two cores. */
    static final SasRecConfig SMALL = new SasRecConfig(32, 2, 1, 64, 0.1f, 20, 5e-3f, 0f, 512, 40, 4, 0, 0, 7);
    static Dataset data;
    static Training.Trained sasrec;

    @BeforeAll
    static void train() {
        data = PlantedSequences.generate(600, 120, 12, 0.9, 1);
        sasrec = Training.fit(SasRec.TYPE, data, Training.Fit.TRAIN,
                new Training.Options(SMALL, null, null, Training.CfSource.TRAIN_SASREC, null, null), quiet());
    }

    static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    static double testRecall(Recommender model) throws IOException {
        return new Evaluator().evaluate(model, data, EvalOptions.defaults(Split.TEST)).metrics(Setting.ALL)
                .recallAt10();
    }

    @Test
    void learnsThePlantedSequencesFarBetterThanPopularity() throws IOException {
        double pop = testRecall(MostPop.fit(data.numItems(), Training.sequences(data, Training.Fit.TRAIN)));
        double seq = testRecall(sasrec.model());
        // 90% of next items follow the chain; popularity is near 10 of 120 items (~0.08).
        assertTrue(seq > 0.6, "SASRec test Recall@10 " + seq);
        assertTrue(seq > 4 * pop, "SASRec " + seq + " vs MostPop " + pop);
        assertTrue(sasrec.record().get("best_epoch").getAsInt() >= 1);
        assertTrue(sasrec.record().get("best_valid_recall@10").getAsDouble() > 0.6);
    }

    @Test
    void saveAndLoadGiveIdenticalScores(@TempDir Path dir) throws IOException {
        ModelIO.save(sasrec.model(), dir, sasrec.record());
        List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {5}, data.history(0, Split.TEST, 20));
        float[] before = new float[histories.size() * data.numItems()];
        float[] after = new float[before.length];
        sasrec.model().score(histories, before);
        try (Recommender loaded = ModelDirs.load(dir)) {
            assertEquals(SasRec.TYPE, loaded.type());
            loaded.score(histories, after);
        }
        assertArrayEquals(before, after);
    }

    @Test
    void scoresDoNotDependOnTheOtherHistoriesInTheBatch() {
        int n = data.numItems();
        int[] h = data.history(3, Split.TEST, 20);
        float[] alone = new float[n];
        float[] batched = new float[3 * n];
        sasrec.model().score(List.of(h), alone);
        sasrec.model().score(List.of(new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12}, h, new int[] {4}), batched);
        for (int i = 0; i < n; i++) {
            assertEquals(alone[i], batched[n + i], 1e-4f, "item " + i);
        }
    }

    @Test
    void coldItemsGetTheMeanWarmEmbedding() {
        boolean[] cold = new boolean[data.numItems()];
        cold[0] = true;
        cold[1] = true;
        try (SasRec model = new SasRec(SMALL, data.numItems())) {
            float[][] before = model.itemEmbeddings();
            model.neutraliseColdItems(cold);
            float[][] rows = model.itemEmbeddings();
            for (int j = 0; j < SMALL.dim(); j++) {
                double mean = 0;
                for (int i = 2; i < before.length; i++) {
                    mean += before[i][j];
                }
                mean /= before.length - 2;
                assertEquals(mean, rows[0][j], 1e-5);
                assertEquals(mean, rows[1][j], 1e-5);
                assertEquals(before[5][j], rows[5][j]);
            }
        }
    }

    @Test
    void corruptModelDirectoriesAreRefusedWithAReason(@TempDir Path dir) throws IOException {
        ModelIO.save(sasrec.model(), dir, sasrec.record());
        Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> ModelDirs.load(dir));
        assertTrue(e.getMessage().contains("corrupt or was modified"), e.getMessage());

        Files.delete(dir.resolve("weights.bin"));
        e = assertThrows(IOException.class, () -> ModelDirs.load(dir));
        assertTrue(e.getMessage().contains("corrupt or was modified"), e.getMessage());

        Files.writeString(dir.resolve("model.json"), "{ not json");
        e = assertThrows(IOException.class, () -> ModelDirs.load(dir));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        Files.writeString(dir.resolve("model.json"), "{\"format\":1,\"type\":\"tiger\",\"num_items\":5,\"config\":{},"
                + "\"version\":\"" + ModelIO.contentHash(dir) + "\"}");
        e = assertThrows(IOException.class, () -> ModelDirs.load(dir));
        assertTrue(e.getMessage().contains("unknown model type 'tiger'"), e.getMessage());

        e = assertThrows(IOException.class, () -> ModelDirs.load(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void weightsOfAnotherShapeAreRefused(@TempDir Path dir) throws IOException {
        ModelIO.save(sasrec.model(), dir, sasrec.record());
        String json = Files.readString(dir.resolve("model.json")).replace("\"dim\": 32", "\"dim\": 16");
        Files.writeString(dir.resolve("model.json"), json);
        IOException e = assertThrows(IOException.class, () -> ModelDirs.load(dir));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }
}
