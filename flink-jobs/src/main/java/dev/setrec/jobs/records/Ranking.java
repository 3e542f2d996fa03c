package dev.setrec.jobs.records;

/** Ranked item ids with their scores, best first, and whether the ranking is the popularity fallback. */
public record Ranking(String[] itemIds, float[] scores, boolean fallback) {
    /** What the model answers for a history it cannot rank (none of its items known): the fallback answers it. */
    public static final Ranking UNRANKED = new Ranking(new String[0], new float[0], true);

    public int size() {
        return itemIds.length;
    }
}
