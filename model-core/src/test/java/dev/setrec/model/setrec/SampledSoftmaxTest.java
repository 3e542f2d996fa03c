package dev.setrec.model.setrec;

import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Setting;
import dev.setrec.data.Split;
import dev.setrec.models.Training;
import dev.setrec.testing.TwinItems;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** SETRec trained against a quarter of the catalogue per step (--negatives) still learns to rank by the tokens. */
class SampledSoftmaxTest {
    @Test
    void aModelTrainedAgainstDrawnNegativesRanksColdItemsByTheirTextFarAboveChance() throws IOException {
        TwinItems twins = TwinItems.generate(400, 60, 10, 24, 16, 5);
        int negatives = twins.data.numItems() / 4;
        SetRecTraining training = SetRecTest.TRAINING.toBuilder().negatives(negatives).build();
        try (SetRec model = new SetRec(SetRecTest.SMALL,
                ItemInputs.numbered(twins.cf, twins.text, SetRecTest.coldFlags(twins)), training)) {
            new SetRecTrainer(training, new PrintStream(OutputStream.nullOutputStream()))
                    .train(model, Training.sequences(twins.data, Training.Fit.TRAIN), twins.data);
            // every test target is a cold twin; 10 of the 60 cold items in a top 10 is chance (0.167)
            double cold = new Evaluator().evaluate(model, twins.data, EvalOptions.defaults(Split.TEST))
                    .metrics(Setting.COLD).recallAt10();
            assertTrue(cold > 0.6, "cold Recall@10 " + cold + " after training against " + negatives + " negatives");
        }
    }
}
