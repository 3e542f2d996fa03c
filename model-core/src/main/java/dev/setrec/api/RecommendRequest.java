package dev.setrec.api;

import java.util.List;

/**
 * POST /v1/recommend: the histories to rank and how; an option left null takes the server's default.
 *
 * @param setting    all, warm or cold
 * @param deadlineMs fail with 504 rather than score after this long
 */
public record RecommendRequest(Integer k, String setting, Boolean excludeSeen, Integer newItemSlots,
                               Integer deadlineMs, @Required List<Query> requests) {
    /** One history, oldest first; {@code user} is echoed back, {@code exclude} are more ids to leave out. */
    public record Query(String user, @Required List<String> history, List<String> exclude) {
    }
}
