package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.jobs.quickstart.ReplayRounds.Kind;
import dev.setrec.jobs.quickstart.ReplayRounds.Round;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the live window is replayed again, at which rate, and what the console is told. */
class ReplayRoundsTest {
    private static final double RATE = 200;
    private static final int PASS = 1234;

    private boolean modelServes;
    private boolean underWay = true;
    private final List<String> said = new ArrayList<>();
    private final ReplayRounds rounds = ReplayRounds.untilTakeover(new ReplayRounds.Takeover(() -> modelServes,
            () -> underWay, () -> "SETRec epoch 3/6, about 4 min left"), RATE, PASS, said::add);

    @Test
    void roundsGoOnSlowlyWhileTrainingThenOneAtTheNormalRateOnceAModelServesThenTheReplayEnds() {
        Round first = Round.first(RATE);
        Round second = rounds.after(first).orElseThrow();
        assertEquals(new Round(2, ReplayRounds.WHILE_TRAINING_EVENTS_PER_SECOND, Kind.WHILE_TRAINING), second);
        assertEquals(List.of("replayed the live window (1,234 events); SETRec is still training (SETRec epoch 3/6, "
                + "about 4 min left): replaying it again (round 2, users ~2) at 20/s until it serves"), said);
        assertFalse(rounds.endsEarly(second), "the training goes on");
        Round third = rounds.after(second).orElseThrow();
        assertEquals(new Round(3, ReplayRounds.WHILE_TRAINING_EVENTS_PER_SECOND, Kind.WHILE_TRAINING), third);

        modelServes = true;
        underWay = false;
        assertTrue(rounds.endsEarly(third), "a model serves: the slow round gives way to the one that compares");
        Round last = rounds.after(third).orElseThrow();
        assertEquals(new Round(4, RATE, Kind.AFTER_TAKEOVER), last);
        assertTrue(said.get(said.size() - 1).startsWith("SETRec serves: replaying the live window once more (round 4, "
                + "users ~4) at 200/s"), said.toString());
        assertFalse(rounds.endsEarly(last), "the round after the takeover is replayed whole");
        assertEquals(Optional.empty(), rounds.after(last), "one round of SETRec, then the run ends");
    }

    @Test
    void aModelThatTookOverDuringTheFirstPassGetsOneRoundOfItsOwn() {
        modelServes = true;
        assertEquals(Optional.of(new Round(2, RATE, Kind.AFTER_TAKEOVER)), rounds.after(Round.first(RATE)));
    }

    @Test
    void aTrainingThatFailedEndsTheReplayWithoutAnotherRound() {
        Round second = rounds.after(Round.first(RATE)).orElseThrow();
        underWay = false;
        assertTrue(rounds.endsEarly(second), "nothing to wait for");
        assertEquals(Optional.empty(), rounds.after(second));
        assertTrue(said.get(said.size() - 1).startsWith("no SETRec took over"), said.toString());
    }

    @Test
    void aModelServingFromTheStartIsReplayedOnce() {
        ReplayRounds once = ReplayRounds.once();
        Round first = Round.first(RATE);
        assertFalse(once.endsEarly(first));
        assertEquals(Optional.empty(), once.after(first));
    }
}
