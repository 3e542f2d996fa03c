package dev.setrec.jobs.quickstart;

import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How many times the replayer replays the live window. Once, where the served model serves from the start. Where a
 * quick model trains in the background while the fallback serves, the first pass ends long before the training
 * does, so the live window is replayed again in rounds ({@link ReplayPlan#round}: fresh users, comparable Recall@10)
 * at {@link #WHILE_TRAINING_EVENTS_PER_SECOND} until a model serves; then one last round at the normal rate shows
 * its online Recall@10 beside the fallback's, and the replay ends. A round while training is cut short once a model
 * serves, or once nothing is on its way any more (the training failed, or a trained model never served).
 */
public final class ReplayRounds {
    /**
     * The rate of the rounds while the quick model trains: the machine's few cores go to the training, and a
     * recommendation every few hundredths of a second still keeps the console live.
     */
    public static final double WHILE_TRAINING_EVENTS_PER_SECOND = 20;

    /** Why a round is replayed. */
    public enum Kind { FIRST_PASS, WHILE_TRAINING, AFTER_TAKEOVER }

    /** One replay of the live window; {@code number} counts from 1, a rate of 0 is as fast as possible. */
    public record Round(int number, double eventsPerSecond, Kind kind) {
        public static Round first(double eventsPerSecond) {
            return new Round(1, eventsPerSecond, Kind.FIRST_PASS);
        }
    }

    /**
     * Where the takeover stands.
     *
     * @param modelServes whether a model (not the fallback) has served a recommendation
     * @param underWay whether a model is on its way: training, or trained and not serving yet
     * @param progress how far the training is, said on the console
     */
    public record Takeover(BooleanSupplier modelServes, BooleanSupplier underWay, Supplier<String> progress) {
    }

    private final Takeover takeover; // null: once
    private final double normalEventsPerSecond;
    private final int passEvents;
    private final Consumer<String> say;

    private ReplayRounds(Takeover takeover, double normalEventsPerSecond, int passEvents, Consumer<String> say) {
        this.takeover = takeover;
        this.normalEventsPerSecond = normalEventsPerSecond;
        this.passEvents = passEvents;
        this.say = say;
    }

    /** The live window once. */
    public static ReplayRounds once() {
        return new ReplayRounds(null, 0, 0, line -> { });
    }

    /**
     * Rounds until a model took over, then one more.
     *
     * @param normalEventsPerSecond the rate of the first pass and of the round after the takeover
     * @param passEvents the live events of one pass, said on the console
     * @param say where the rounds are said (a console line each)
     */
    public static ReplayRounds untilTakeover(Takeover takeover, double normalEventsPerSecond, int passEvents,
                                             Consumer<String> say) {
        return new ReplayRounds(takeover, normalEventsPerSecond, passEvents, say);
    }

    /** The round after {@code finished}, said on the console; empty when the replay ends. */
    public Optional<Round> after(Round finished) {
        if (takeover == null || finished.kind() == Kind.AFTER_TAKEOVER) {
            return Optional.empty();
        }
        int number = finished.number() + 1;
        if (takeover.modelServes().getAsBoolean()) {
            say.accept(String.format(Locale.ROOT, "SETRec serves: replaying the live window once more (round %d, "
                    + "users %s%d) at %s to compare the models' online Recall@10", number,
                    ReplayPlan.ROUND_SEPARATOR, number, rate(normalEventsPerSecond)));
            return Optional.of(new Round(number, normalEventsPerSecond, Kind.AFTER_TAKEOVER));
        }
        if (takeover.underWay().getAsBoolean()) {
            say.accept(String.format(Locale.ROOT, "replayed the live window (%,d events); SETRec is still training "
                    + "(%s): replaying it again (round %d, users %s%d) at %s until it serves", passEvents,
                    takeover.progress().get(), number, ReplayPlan.ROUND_SEPARATOR, number,
                    rate(WHILE_TRAINING_EVENTS_PER_SECOND)));
            return Optional.of(new Round(number, WHILE_TRAINING_EVENTS_PER_SECOND, Kind.WHILE_TRAINING));
        }
        say.accept("no SETRec took over (why is said above, or in the job's log): the replay ends");
        return Optional.empty();
    }

    /** Whether {@code current} ends before its next event: a round while training, once its wait is over. */
    public boolean endsEarly(Round current) {
        return current.kind() == Kind.WHILE_TRAINING
                && (takeover.modelServes().getAsBoolean() || !takeover.underWay().getAsBoolean());
    }

    private static String rate(double eventsPerSecond) {
        if (eventsPerSecond <= 0) {
            return "full speed";
        }
        return (eventsPerSecond == Math.rint(eventsPerSecond) ? Long.toString((long) eventsPerSecond)
                : Double.toString(eventsPerSecond)) + "/s";
    }
}
