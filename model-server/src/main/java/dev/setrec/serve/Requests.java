package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.data.ItemText;
import dev.setrec.eval.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.setrec.serve.JsonFields.array;
import static dev.setrec.serve.JsonFields.id;
import static dev.setrec.serve.JsonFields.ids;
import static dev.setrec.serve.JsonFields.object;
import static dev.setrec.serve.JsonFields.optionalBool;
import static dev.setrec.serve.JsonFields.optionalInt;
import static dev.setrec.serve.JsonFields.requireOnly;
import static dev.setrec.serve.JsonFields.string;
import static dev.setrec.serve.JsonFields.strings;

/** The API's request bodies (openapi.yaml), read and checked against the server's limits. */
final class Requests {
    private static final Set<String> RECOMMEND = Set.of("k", "setting", "exclude_seen", "new_item_slots",
            "deadline_ms", "requests");
    private static final Set<String> RECOMMEND_ENTRY = Set.of("user", "history", "exclude");
    private static final Set<String> ONBOARD = Set.of("items");
    private static final Set<String> ITEM = Set.of("item_id", "title", "categories", "brand", "description");
    private static final Set<String> LOAD = Set.of("dir");

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
    Recommend recommend(JsonObject body, long start) throws ApiError {
        requireOnly(body, "", RECOMMEND);
        int k = optionalInt(body, "k", 10);
        if (k < 1 || k > limits.maxK()) {
            throw new ApiError(400, "k must be 1.." + limits.maxK() + ", not " + k);
        }
        int newItemSlots = optionalInt(body, "new_item_slots", 0);
        if (newItemSlots < 0 || newItemSlots > k) {
            throw new ApiError(400, "new_item_slots must be 0..k (" + k + "), not " + newItemSlots);
        }
        Setting setting = setting(body);
        boolean excludeSeen = optionalBool(body, "exclude_seen", true);
        int deadlineMs = optionalInt(body, "deadline_ms", (int) Math.min(Integer.MAX_VALUE, defaultDeadline.toMillis()));
        if (deadlineMs < 1) {
            throw new ApiError(400, "deadline_ms must be positive, not " + deadlineMs);
        }
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        JsonArray entries = array(body, "", "requests", 1, limits.maxHistories());
        List<String> users = new ArrayList<>(entries.size());
        List<Serving.Query> queries = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "requests[" + i + "]";
            JsonObject entry = object(entries.get(i), where);
            requireOnly(entry, where, RECOMMEND_ENTRY);
            users.add(entry.has("user") ? id(entry.get("user"), where + ".user", limits.maxIdBytes()) : null);
            List<String> history = ids(entry, where, "history", limits.maxHistory(), limits.maxIdBytes());
            List<String> excluded = new ArrayList<>(excludeSeen ? history : List.of());
            if (entry.has("exclude")) {
                excluded.addAll(ids(entry, where, "exclude", limits.maxK(), limits.maxIdBytes()));
            }
            queries.add(new Serving.Query(history, excluded, k, newItemSlots, setting, deadline));
        }
        return new Recommend(users, queries);
    }

    private static Setting setting(JsonObject body) throws ApiError {
        if (!body.has("setting")) {
            return Setting.ALL;
        }
        String name = string(body.get("setting"), "setting", 16);
        for (Setting s : Setting.values()) {
            if (s.label().equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new ApiError(400, "setting must be all, warm or cold, not " + name);
    }

    /** POST /v1/items: the items with their text; each must have some text, since a new item is ranked by it. */
    List<ItemStore.StoredItem> items(JsonObject body, long nowMillis) throws ApiError {
        requireOnly(body, "", ONBOARD);
        JsonArray entries = array(body, "", "items", 1, limits.maxHistories());
        List<ItemStore.StoredItem> items = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "items[" + i + "]";
            JsonObject entry = object(entries.get(i), where);
            requireOnly(entry, where, ITEM);
            String id = entry.has("item_id") ? id(entry.get("item_id"), where + ".item_id", limits.maxIdBytes()) : "";
            if (id.isBlank()) {
                throw new ApiError(400, where + ": item_id is missing or empty");
            }
            List<String> categories = entry.has("categories") && !entry.get("categories").isJsonNull()
                    ? strings(entry, where, "categories", limits.maxCategories(), limits.maxTextBytes()) : List.of();
            ItemText text = ItemText.of(JsonFields.text(entry, where, "title", limits.maxTextBytes()),
                    categories.stream().map(String::strip).filter(c -> !c.isEmpty()).toList(),
                    JsonFields.text(entry, where, "brand", limits.maxTextBytes()),
                    JsonFields.cutText(entry, where, "description", limits.maxDescriptionBytes()));
            if (text.isEmpty()) {
                throw new ApiError(400, where + ": item " + id + " has no text (title, categories, brand or "
                        + "description): a new item is ranked by its text");
            }
            items.add(new ItemStore.StoredItem(id, text, nowMillis));
        }
        return items;
    }

    /** POST /v1/model/load: the directory named, as given. */
    String loadDir(JsonObject body) throws ApiError {
        requireOnly(body, "", LOAD);
        if (!body.has("dir")) {
            throw new ApiError(400, "dir is missing: the model directory to load");
        }
        return string(body.get("dir"), "dir", limits.maxTextBytes());
    }

    /** POST /v1/model/rollback takes no fields; a body, where sent, is an empty object. */
    void rollback(JsonObject body) throws ApiError {
        requireOnly(body, "", Set.of());
    }
}
