package dev.setrec.jobs.records;

/**
 * Ranked item ids with their scores, best first, whether the ranking is the popularity fallback, and the version of
 * the model that ranked them (null for a fallback: it is answered with the version serving then). The version travels
 * with the ranking because the model may be swapped between the ranking and the recommendation that carries it.
 */
public record Ranking(String[] itemIds, float[] scores, boolean fallback, String modelVersion) {
    /** What the model answers for a history it cannot rank (none of its items known): the fallback answers it. */
    public static final Ranking UNRANKED = new Ranking(new String[0], new float[0], true, null);

    public int size() {
        return itemIds.length;
    }
}
