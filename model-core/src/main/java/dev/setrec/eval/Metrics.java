package dev.setrec.eval;

import java.util.Arrays;

/**
 * Recall@5/10 and NDCG@5/10 averaged over users, accumulated one user at a time (the paper's definitions):
 * Recall@K = hits in the top K / |GT|, even when |GT| > K; NDCG@K = DCG / IDCG with DCG = sum over hits at
 * 1-based rank r <= K of 1/log2(r+1) and IDCG = sum_{i=1..min(|GT|,K)} 1/log2(i+1). With no users every
 * mean is 0 ({@link #users()} tells that case apart).
 */
public final class Metrics {
    /** The cutoffs K, ascending. */
    private static final int[] CUTOFFS = {5, 10};
    /** DISCOUNT[r] = 1/log2(r+1) for 1-based rank r. */
    private static final double[] DISCOUNT = new double[CUTOFFS[CUTOFFS.length - 1] + 1];

    static {
        for (int r = 1; r < DISCOUNT.length; r++) {
            DISCOUNT[r] = Math.log(2) / Math.log(r + 1);
        }
    }

    private final double[] recallSum = new double[CUTOFFS.length];
    private final double[] ndcgSum = new double[CUTOFFS.length];
    private int users;
    /** Each user's Recall@10, in the order added (for paired comparisons of two models on the same users). */
    private double[] userRecallAt10 = new double[16];
    /**
     * Each user's mean target rank, in the order added: a paired comparison of two models on the same users tells
     * them apart by it where Recall@10 ties (most users of a sparse data set have no hit under either).
     */
    private double[] userTargetRank = new double[16];

    /** Adds one user whose target ranks are not known (only the top of the ranking was kept). */
    public void add(int[] ranked, int rankedLength, int[] groundTruth) {
        add(ranked, rankedLength, groundTruth, Double.NaN);
    }

    /**
     * Adds one user.
     *
     * @param ranked the user's ranking, best first; only the first {@code rankedLength} entries count (a ranking
     *               may be shorter than 10 when the setting has fewer items)
     * @param groundTruth the user's distinct target items, non-empty
     * @param meanTargetRank the mean over the targets of each one's 0-based rank in the setting's whole ranking
     */
    public void add(int[] ranked, int rankedLength, int[] groundTruth, double meanTargetRank) {
        if (groundTruth.length == 0) {
            throw new IllegalArgumentException("a user without ground truth has no metrics");
        }
        if (users == userTargetRank.length) {
            userTargetRank = Arrays.copyOf(userTargetRank, users * 2);
            userRecallAt10 = Arrays.copyOf(userRecallAt10, users * 2);
        }
        for (int i = 0; i < CUTOFFS.length; i++) {
            int k = CUTOFFS[i];
            int hits = 0;
            double dcg = 0;
            for (int r = 1; r <= Math.min(k, rankedLength); r++) {
                if (contains(groundTruth, ranked[r - 1])) {
                    hits++;
                    dcg += DISCOUNT[r];
                }
            }
            recallSum[i] += (double) hits / groundTruth.length;
            if (k == 10) {
                userRecallAt10[users] = (double) hits / groundTruth.length;
            }
            ndcgSum[i] += dcg / idcg(groundTruth.length, k);
        }
        userTargetRank[users] = meanTargetRank;
        users++;
    }

    public int users() {
        return users;
    }

    /** Each user's Recall@10, in the order the users were added. */
    public double[] userRecallsAt10() {
        return Arrays.copyOf(userRecallAt10, users);
    }

    /** Each user's mean target rank (0 = first; NaN where not known), in the order the users were added. */
    public double[] userTargetRanks() {
        return Arrays.copyOf(userTargetRank, users);
    }

    public double recallAt5() {
        return mean(recallSum[0]);
    }

    public double recallAt10() {
        return mean(recallSum[1]);
    }

    public double ndcgAt5() {
        return mean(ndcgSum[0]);
    }

    public double ndcgAt10() {
        return mean(ndcgSum[1]);
    }

    private double mean(double sum) {
        return users == 0 ? 0 : sum / users;
    }

    private static double idcg(int groundTruthSize, int k) {
        double sum = 0;
        for (int i = 1; i <= Math.min(groundTruthSize, k); i++) {
            sum += DISCOUNT[i];
        }
        return sum;
    }

    // Ground-truth sets are a handful of items, so a scan beats building a hash set per user.
    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}
