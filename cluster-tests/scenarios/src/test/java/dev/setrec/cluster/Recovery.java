package dev.setrec.cluster;

import dev.setrec.cluster.InteractionFeed.Sent;
import dev.setrec.cluster.RecommendationLog.Answers;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How long a failure at {@code failureMillis} disturbed the answers: the longest stretch after it without any
 * recommendation arriving (the outage), and the time until every event was answered within {@code onTime} again
 * (the arrival of the last late answer). Measured, reported, never asserted: on shared cores these are noisy.
 */
record Recovery(double outageSeconds, double recoverySeconds, int lateEvents, Duration onTime) {

    static Recovery after(long failureMillis, Map<Long, Sent> sent, Map<Long, Answers> answers, Duration onTime) {
        long[] arrivals = answers.values().stream().mapToLong(Answers::firstArrivalMillis).sorted().toArray();
        long outage = 0;
        long previous = failureMillis;
        for (long arrival : arrivals) {
            if (arrival > failureMillis) {
                outage = Math.max(outage, arrival - previous);
                previous = arrival;
            }
        }
        long lastLate = failureMillis;
        int late = 0;
        for (Map.Entry<Long, Answers> e : answers.entrySet()) {
            Sent event = sent.get(e.getKey());
            long arrival = e.getValue().firstArrivalMillis();
            if (event != null && arrival > failureMillis && arrival - event.sentAtMillis() > onTime.toMillis()) {
                late++;
                lastLate = Math.max(lastLate, arrival);
            }
        }
        return new Recovery(outage / 1000.0, (lastLate - failureMillis) / 1000.0, late, onTime);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "no recommendation for %.1f s, every event answered within %d ms again "
                + "after %.1f s (%d late answers)", outageSeconds, onTime.toMillis(), recoverySeconds, lateEvents);
    }
}
