package dev.setrec.jobs.records;

import java.util.Objects;

/**
 * What one model refresh decided. The Recall@10 figures are on the window's held-back slice, NaN where there is none
 * (no cold item in the slice, no serving model to compare with).
 *
 * @param promoted  whether the new version was written into the models folder (and so serves from now on)
 * @param reason    why it was promoted or refused, one line
 * @param version   the new version's folder name in the models folder; null when none was written
 * @param newlyWarm onboarded items that gained a CF token in this refresh
 */
public record RefreshResult(boolean promoted, String reason, String version, double candidateAllRecall10,
                            double candidateColdRecall10, double servingAllRecall10, double servingColdRecall10,
                            int newlyWarm) {
    public RefreshResult {
        Objects.requireNonNull(reason, "a refresh's outcome needs a reason");
    }
}
