package dev.setrec.api;

import java.util.List;

/** The answer of POST /v1/recommend: one result per query, in order, and the version of the model that ranked. */
public record RecommendResponse(@Required List<Result> results, @Required String modelVersion) {
    /**
     * The items of one query, best first, and how many of its history's ids the model knows (0 exactly where
     * nothing in the history could be ranked).
     */
    public record Result(String user, @Required List<ScoredItem> items, int knownItems) {
    }

    /** One ranked item. */
    public record ScoredItem(@Required String itemId, float score) {
    }
}
