package dev.setrec.serve;

import dev.setrec.api.Item;
import dev.setrec.api.LoadRequest;
import dev.setrec.api.RecommendRequest;
import dev.setrec.data.ItemText;
import dev.setrec.eval.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static dev.setrec.serve.FieldLimits.entries;
import static dev.setrec.serve.FieldLimits.id;
import static dev.setrec.serve.FieldLimits.ids;
import static dev.setrec.serve.FieldLimits.string;
import static dev.setrec.serve.FieldLimits.strings;
import static dev.setrec.serve.FieldLimits.text;

import static dev.setrec.serve.ApiError.Status.BAD_REQUEST;

/** The API's request bodies (openapi.yaml), read strictly into records, checked against the server's limits. */
final class Requests {
    private static final int DEFAULT_K = 10;
    /** Longest setting name accepted before it is looked up. */
    private static final int MAX_SETTING_BYTES = 16;

    private final RequestLimits limits;
    private final Duration defaultDeadline;

    Requests(RequestLimits limits, Duration defaultDeadline) {
        this.limits = limits;
        this.defaultDeadline = defaultDeadline;
    }

    /** A recommend call: the users to echo (null where none was given) and one query per history. */
    record Recommend(List<String> users, List<Serving.Query> queries) {
    }

    /** POST /v1/recommend; {@code start} is when the request arrived (System.nanoTime), for its deadline. */
    Recommend recommend(RecommendRequest body, long start) throws ApiError {
        int k = Objects.requireNonNullElse(body.k(), DEFAULT_K);
        if (k < 1 || k > limits.maxK()) {
            throw new ApiError(BAD_REQUEST, "k must be 1.." + limits.maxK() + ", not " + k);
        }
        int newItemSlots = Objects.requireNonNullElse(body.newItemSlots(), 0);
        if (newItemSlots < 0 || newItemSlots > k) {
            throw new ApiError(BAD_REQUEST, "new_item_slots must be 0..k (" + k + "), not " + newItemSlots);
        }
        Setting setting = setting(body.setting());
        boolean excludeSeen = Objects.requireNonNullElse(body.excludeSeen(), true);
        int deadlineMs = Objects.requireNonNullElse(body.deadlineMs(),
                (int) Math.min(Integer.MAX_VALUE, defaultDeadline.toMillis()));
        if (deadlineMs < 1) {
            throw new ApiError(BAD_REQUEST, "deadline_ms must be positive, not " + deadlineMs);
        }
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        List<RecommendRequest.Query> entries = entries(body.requests(), "requests", 1, limits.maxHistories());
        List<String> users = new ArrayList<>(entries.size());
        List<Serving.Query> queries = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "requests[" + i + "]";
            RecommendRequest.Query entry = entries.get(i);
            users.add(entry.user() == null ? null : id(entry.user(), where + ".user", limits.maxIdBytes()));
            List<String> history = ids(entry.history(), where + ".history", limits.maxHistory(),
                    limits.maxIdBytes());
            List<String> excluded = new ArrayList<>(excludeSeen ? history : List.of());
            if (entry.exclude() != null) {
                excluded.addAll(ids(entry.exclude(), where + ".exclude", limits.maxK(), limits.maxIdBytes()));
            }
            queries.add(new Serving.Query(history, excluded, k, newItemSlots, setting, deadline));
        }
        return new Recommend(users, queries);
    }

    private static Setting setting(String name) throws ApiError {
        if (name == null) {
            return Setting.ALL;
        }
        string(name, "setting", MAX_SETTING_BYTES);
        for (Setting s : Setting.values()) {
            if (s.label().equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new ApiError(BAD_REQUEST, "setting must be all, warm or cold, not " + name);
    }

    /** POST /v1/items: the items with their text; each must have some text, since a new item is ranked by it. */
    List<ItemStore.StoredItem> items(List<Item> body, long nowMillis) throws ApiError {
        List<Item> entries = entries(body, "items", 1, limits.maxHistories());
        List<ItemStore.StoredItem> items = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "items[" + i + "]";
            Item entry = entries.get(i);
            String id = entry.itemId() == null ? "" : id(entry.itemId(), where + ".item_id", limits.maxIdBytes());
            if (id.isBlank()) {
                throw new ApiError(BAD_REQUEST, where + ": item_id is missing or empty");
            }
            List<String> categories = entry.categories() == null ? List.of()
                    : strings(entry.categories(), where + ".categories", limits.maxCategories(), limits.maxTextBytes());
            ItemText text = ItemText.of(text(entry.title(), where + ".title", limits.maxTextBytes()),
                    categories.stream().map(String::strip).filter(c -> !c.isEmpty()).toList(),
                    text(entry.brand(), where + ".brand", limits.maxTextBytes()),
                    FieldLimits.cutText(entry.description(), limits.maxDescriptionBytes()));
            if (text.isEmpty()) {
                throw new ApiError(BAD_REQUEST, where + ": item " + id + " has no text (title, categories, brand or "
                        + "description): a new item is ranked by its text");
            }
            items.add(new ItemStore.StoredItem(id, text, nowMillis));
        }
        return items;
    }

    /** POST /v1/model/load: the directory named, as given. */
    String loadDir(LoadRequest body) throws ApiError {
        if (body.dir() == null) {
            throw new ApiError(BAD_REQUEST, "dir is missing: the model directory to load");
        }
        return string(body.dir(), "dir", limits.maxTextBytes());
    }
}
