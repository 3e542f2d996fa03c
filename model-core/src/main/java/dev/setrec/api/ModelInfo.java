package dev.setrec.api;

import com.google.gson.annotations.JsonAdapter;

/**
 * The answer of GET /v1/model, and of a model load or rollback: the serving model's version and what it holds.
 *
 * @param beta      mix of a warm item's CF and semantic scores (1 = semantic only)
 * @param betaCold  the same for cold items
 * @param coldShift added to every cold item's score
 * @param loadedAt  when it was loaded (ISO-8601)
 */
public record ModelInfo(boolean ready, @Required String version,
                        @JsonAdapter(value = Nullable.class, nullSafe = false) String previousVersion,
                        String dir, int items, Long onboardedItems, Float beta, Float betaCold, Float coldShift,
                        String loadedAt) {
    /** Before the first model has loaded: the fields of ModelInfo that hold without a model. */
    public record NotReady(boolean ready, @Required String version, int items) {
        public static final NotReady ANSWER = new NotReady(false, "", 0);
    }
}
