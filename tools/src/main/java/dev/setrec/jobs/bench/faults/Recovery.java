package dev.setrec.jobs.bench.faults;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/**
 * How long a job took, after a fault, until it answered every interaction in time again. Input: the interactions
 * sent from the fault on, in the order sent, each with its Kafka timestamp and its lag (the produced time of the
 * first recommendation that answered it minus that timestamp; both on this JVM's clock). The job has recovered at
 * the timestamp of the first interaction from which on every one was answered within {@link #IN_TIME}; the figure is
 * that timestamp minus the time of the fault, exact to the pace at which interactions were sent.
 */
public final class Recovery {
    /** An answer within this long after its interaction counts as in time. */
    public static final Duration IN_TIME = Duration.ofSeconds(1);

    /** One interaction sent after the fault: its Kafka timestamp and its lag ({@link #UNANSWERED} for none). */
    public record Answer(long sentMillis, long lagMillis) {
        public static final long UNANSWERED = Long.MAX_VALUE;

        boolean answered() {
            return lagMillis != UNANSWERED;
        }

        boolean inTime() {
            return lagMillis <= IN_TIME.toMillis();
        }
    }

    private Recovery() {
    }

    /**
     * Seconds from {@code faultMillis} until every interaction was answered in time again; empty where the last
     * interaction was late or unanswered (the job had not recovered when the stream ended) or none was sent.
     */
    public static OptionalDouble seconds(long faultMillis, List<Answer> afterFault) {
        int from = afterFault.size();
        while (from > 0 && afterFault.get(from - 1).inTime()) {
            from--;
        }
        if (from == afterFault.size()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, afterFault.get(from).sentMillis() - faultMillis) / 1000.0);
    }

    /**
     * Whether the answers so far show the job in time again: of the interactions answered without a gap from the
     * first one on, the last {@code stretch} were answered in time (the stream may stop then).
     */
    public static boolean inTimeAgain(List<Answer> afterFault, int stretch) {
        int inTimeRun = 0;
        for (Answer answer : afterFault) {
            if (!answer.answered()) {
                break;
            }
            inTimeRun = answer.inTime() ? inTimeRun + 1 : 0;
        }
        return inTimeRun >= stretch;
    }
}
