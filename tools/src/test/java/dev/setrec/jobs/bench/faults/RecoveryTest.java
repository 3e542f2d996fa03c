package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.bench.faults.Recovery.Answer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest {
    private static final long FAULT = 10_000;
    private static final long UNANSWERED = Answer.UNANSWERED;

    @Test
    void recoveredAtTheFirstInteractionFromWhichOnEveryOneWasAnsweredWithinASecond() {
        List<Answer> answers = List.of(new Answer(10_050, 4_000), new Answer(10_110, 1_001),
                new Answer(10_170, 200), new Answer(10_230, 5_000), new Answer(10_290, 1_000),
                new Answer(10_350, 30));
        assertEquals(OptionalDouble.of(0.29), Recovery.seconds(FAULT, answers));
    }

    @Test
    void interactionsAnsweredInTimeThroughoutRecoverAtTheFirstOneSentAfterTheFault() {
        assertEquals(OptionalDouble.of(0.05), Recovery.seconds(FAULT, List.of(new Answer(10_050, 20),
                new Answer(10_110, 30))));
    }

    @Test
    void noRecoveryWhereTheLastInteractionIsLateOrUnansweredOrNoneWasSent() {
        assertEquals(OptionalDouble.empty(), Recovery.seconds(FAULT, List.of(new Answer(10_050, 20),
                new Answer(10_110, 1_500))));
        assertEquals(OptionalDouble.empty(), Recovery.seconds(FAULT, List.of(new Answer(10_050, 20),
                new Answer(10_110, UNANSWERED))));
        assertEquals(OptionalDouble.empty(), Recovery.seconds(FAULT, List.of()));
    }

    @Test
    void inTimeAgainOnlyOnceTheLastStretchOfTheAnswersWithoutAGapWasInTime() {
        List<Answer> lateThenInTime = List.of(new Answer(1, 3_000), new Answer(2, 100), new Answer(3, 100));
        assertTrue(Recovery.inTimeAgain(lateThenInTime, 2));
        assertFalse(Recovery.inTimeAgain(lateThenInTime, 3));
        // answers after a gap do not count: the unanswered one may still turn out late
        assertFalse(Recovery.inTimeAgain(List.of(new Answer(1, 100), new Answer(2, UNANSWERED), new Answer(3, 100),
                new Answer(4, 100)), 2));
    }
}
