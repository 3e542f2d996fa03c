package dev.setrec.jobs.scoring;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;

/**
 * What every ranking of the job asks for: {@code k} items, the history's own items left out or not, and how many of
 * the k places are kept for new (cold) items where the model's ranking holds fewer.
 */
public record RankingOptions(int k, boolean excludeSeen, int newItemSlots) implements Serializable {
    public RankingOptions {
        if (k < 1) {
            throw new IllegalArgumentException(JobOptions.TOP_K.key() + " must be positive, not " + k);
        }
        if (newItemSlots < 0 || newItemSlots > k) {
            throw new IllegalArgumentException(JobOptions.NEW_ITEM_SLOTS.key() + " must be 0.." + k + " ("
                    + JobOptions.TOP_K.key() + "), not " + newItemSlots);
        }
    }

    public static RankingOptions of(ReadableConfig options) {
        return new RankingOptions(options.get(JobOptions.TOP_K), options.get(JobOptions.EXCLUDE_SEEN),
                options.get(JobOptions.NEW_ITEM_SLOTS));
    }
}
