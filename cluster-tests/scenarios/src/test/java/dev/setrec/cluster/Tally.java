package dev.setrec.cluster;

import dev.setrec.cluster.InteractionFeed.Sent;
import dev.setrec.cluster.RecommendationLog.Answers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Events against their recommendations, event by event: lost (sent, never answered), duplicated (answered more than
 * once: the count of extra answers), and answers to events that were never sent (which would mean mixed-up topics).
 */
record Tally(int sent, Set<Long> lost, int duplicates, Set<Long> unknown) {

    static Tally of(Map<Long, Sent> sent, Map<Long, Answers> answers) {
        Set<Long> lost = new TreeSet<>(sent.keySet());
        lost.removeAll(answers.keySet());
        Set<Long> unknown = new TreeSet<>(answers.keySet());
        unknown.removeAll(sent.keySet());
        int duplicates = answers.values().stream().mapToInt(a -> a.recommendations().size() - 1).sum();
        return new Tally(sent.size(), lost, duplicates, unknown);
    }

    @Override
    public String toString() {
        return sent + " events, " + lost.size() + " lost, " + duplicates + " duplicates"
                + (unknown.isEmpty() ? "" : ", " + unknown.size() + " answers to unsent events")
                + (lost.isEmpty() ? "" : "; lost: " + List.copyOf(lost).subList(0, Math.min(10, lost.size())));
    }
}
