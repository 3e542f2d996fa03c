package dev.setrec.models;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.model.Transitions;
import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.model.setrec.SetRecArchitecture;
import dev.setrec.model.setrec.SetRecTrainer;
import dev.setrec.model.setrec.SetRecTraining;
import dev.setrec.testing.PlantedSequences;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refit that serves: a train-only fit's choices on valid, applied to a fit on train + valid. */
class TrainingRefitTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final long SEED = 7;

    @TempDir
    Path textCache;

    @Test
    void setRecIsRefittedWithTheEpochsMixAndCfEpochsChosenOnValid() throws IOException {
        Dataset data = PlantedSequences.generate(200, 40, 8, 0.9, SEED);
        Training.Options options = smallSetRec(SetRecTraining.builder().maxEpochs(3).timeBudgetMinutes(0));
        Training.Trained trainOnly = Training.fit(SetRec.TYPE, data, Training.Fit.TRAIN, options, QUIET);
        trainOnly.model().close();
        JsonObject chosen = trainOnly.record();
        List<Path> cfDirsBefore = refitCfDirs();

        Training.Trained refit = Training.refit(SetRec.TYPE, data, options, chosen, QUIET);
        try (SetRec model = (SetRec) refit.model()) {
            JsonObject record = refit.record();
            assertEquals("train+valid", record.get("fit").getAsString());
            assertEquals(chosen.get("best_epoch").getAsInt(), record.get("epochs_run").getAsInt());
            assertEquals(SetRecTrainer.chosenMix(chosen, "best_"), model.mix());
            JsonObject onValid = record.getAsJsonObject("chosen_on_valid");
            assertEquals("train", onValid.get("fit").getAsString());
            assertEquals(chosen.get("best_epoch").getAsInt(), onValid.get("epochs").getAsInt());
            assertEquals(chosen.get("best_valid_recall@10"), onValid.get("valid_recall@10"));
            assertEquals(chosen.get("best_beta").getAsFloat(), onValid.get("beta").getAsFloat());

            JsonObject cfRefit = record.getAsJsonObject("cf_sasrec");
            int cfEpochs = chosen.getAsJsonObject("cf_sasrec").get("best_epoch").getAsInt();
            assertEquals("train+valid", cfRefit.get("fit").getAsString());
            assertEquals(cfEpochs, cfRefit.get("epochs_run").getAsInt());
            assertEquals(cfEpochs, onValid.getAsJsonObject("cf_sasrec").get("epochs").getAsInt());
        }
        assertEquals(cfDirsBefore, refitCfDirs(), "the refitted SASRec's temp dir is deleted");
    }

    @Test
    void setRecsTimeBudgetCountsFromTheStartOfItsFitItsCfTokensIncluded() {
        Dataset data = PlantedSequences.generate(200, 40, 8, 0.9, SEED);
        double budget = 30;
        Training.Options options = smallSetRec(SetRecTraining.builder().maxEpochs(1).timeBudgetMinutes(budget));
        Training.Trained trained = Training.fit(SetRec.TYPE, data, Training.Fit.TRAIN, options, QUIET);
        trained.model().close();
        JsonObject record = trained.record();
        double left = record.get("epochs_time_budget_minutes").getAsDouble();
        double cfMinutes = record.getAsJsonObject("cf_sasrec").get("train_minutes").getAsDouble();
        assertTrue(cfMinutes > 0 && left <= budget - cfMinutes, "SETRec's epochs get " + left + " of " + budget
                + " minutes after " + cfMinutes + " for its CF tokens");
        assertEquals(budget, record.getAsJsonObject("setrec_training").get("timeBudgetMinutes").getAsDouble(),
                "the record keeps the budget given");
    }

    @Test
    void aModelWithoutChoicesIsRefittedAsItsFitOnTrainAndValid() {
        Dataset data = PlantedSequences.generate(50, 20, 6, 0.9, SEED);
        Training.Trained trainOnly = Training.fit(Transitions.TYPE, data, Training.Fit.TRAIN,
                Training.Options.defaults(), QUIET);
        trainOnly.model().close();
        Training.Trained refit = Training.refit(Transitions.TYPE, data, Training.Options.defaults(),
                trainOnly.record(), QUIET);
        refit.model().close();
        assertEquals("train+valid", refit.record().get("fit").getAsString());
        assertFalse(refit.record().has("chosen_on_valid"), refit.record().toString());
    }

    /** A small SETRec with its CF tokens from a small SASRec trained first; {@code training} sets epochs, budget. */
    private Training.Options smallSetRec(SetRecTraining.Builder training) {
        return new Training.Options(new SasRecConfig(16, 1, 1, 32, 0.1f, 8, 5e-3f, 0f, 256, 4, 2, 0, 0, SEED),
                SetRecArchitecture.builder().dim(16).ffnDim(32).blocks(1).maxLen(8).semTokens(2).build(),
                training.dropout(0.1f).learningRate(5e-3f).weightDecay(0f).warmupSteps(5).batchTokens(256)
                        .reconSample(256).patience(2).seed(SEED).build(),
                Training.CfSource.TRAIN_SASREC, null, textCache);
    }

    private static List<Path> refitCfDirs() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("setrec-refit-cf")).sorted().toList();
        }
    }
}
