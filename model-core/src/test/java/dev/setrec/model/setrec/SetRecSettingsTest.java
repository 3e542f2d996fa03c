package dev.setrec.model.setrec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad settings are refused with the option's name and the value given. */
class SetRecSettingsTest {
    @Test
    void aBadArchitectureNamesTheOptionAndTheValue() {
        assertMessage("--dim must be positive, got -8", () -> SetRecArchitecture.builder().dim(-8).build());
        assertMessage("--n-sem must be 0 or more, got -1", () -> SetRecArchitecture.builder().semTokens(-1).build());
        assertMessage("--dim 30 must be divisible by --heads 4",
                () -> SetRecArchitecture.builder().dim(30).heads(4).build());
    }

    @Test
    void aBadTrainingSettingNamesTheOptionAndTheValue() {
        assertMessage("--dropout must be in [0, 1), got 1.0", () -> SetRecTraining.builder().dropout(1f).build());
        assertMessage("--lr must be positive, got 0.0", () -> SetRecTraining.builder().learningRate(0f).build());
        assertMessage("--cf-dropout must be in [0, 1), got -0.5",
                () -> SetRecTraining.builder().cfDropout(-0.5f).build());
        assertMessage("--time-budget must be 0 or more, got -1.0",
                () -> SetRecTraining.builder().timeBudgetMinutes(-1).build());
    }

    @Test
    void changingSomeSettingsKeepsTheOthers() {
        SetRecTraining budgeted = SetRecTraining.DEFAULT.withBudget(30, 2);
        SetRecTraining refit = budgeted.forRefit(7, ScoreMix.uniform(0.3f));
        assertEquals(budgeted.toBuilder().fixedEpochs(7).timeBudgetMinutes(0)
                .fixedMix(new ScoreMix.Fixed(0.3f, 0.3f, 0f)).build(), refit, "a refit runs all its epochs");
    }

    private static void assertMessage(String message, Runnable build) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build::run).getMessage());
    }
}
