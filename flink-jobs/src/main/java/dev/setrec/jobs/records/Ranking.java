package dev.setrec.jobs.records;

/** Ranked item ids with their scores, best first, and where the ranking came from. */
public record Ranking(String[] itemIds, float[] scores, boolean fallback) {
    public static final Ranking EMPTY_FALLBACK = new Ranking(new String[0], new float[0], true);

    public int size() {
        return itemIds.length;
    }
}
