package dev.setrec.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.setrec.util.Machine;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * benchmarks/results.json (contract, DESIGN section 6): a JSON list of result objects. A new result replaces the
 * old one with the same benchmark, dataset, model, variant and split; everything else is kept.
 */
public final class BenchmarkResults {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final String[] KEY = {"benchmark", "dataset", "model", "variant", "split"};

    private final List<JsonObject> results = new ArrayList<>();

    public static BenchmarkResults read(Path file) throws IOException {
        BenchmarkResults r = new BenchmarkResults();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                JsonArray array = GSON.fromJson(in, JsonArray.class);
                if (array != null) {
                    for (JsonElement e : array) {
                        r.results.add(e.getAsJsonObject());
                    }
                }
            } catch (JsonParseException | IllegalStateException e) {
                throw new IOException(file + ": not a JSON list of result objects (" + e.getMessage() + ")");
            }
        }
        return r;
    }

    /** A result: its key, its metrics and the command that measured them, on this machine, today. */
    public static JsonObject row(String benchmark, String dataset, String model, String variant, String split,
                                 JsonObject metrics, String command) {
        JsonObject row = new JsonObject();
        row.addProperty("benchmark", benchmark);
        row.addProperty("dataset", dataset);
        row.addProperty("model", model);
        row.addProperty("variant", variant);
        row.addProperty("split", split);
        row.add("metrics", metrics);
        row.addProperty("command", command);
        row.addProperty("machine", Machine.describe());
        row.addProperty("date", LocalDate.now().toString());
        return row;
    }

    public void put(JsonObject result) {
        results.removeIf(old -> sameKey(old, result));
        results.add(result);
    }

    /** The result with the key of {@code row}, if any. */
    public Optional<JsonObject> find(JsonObject row) {
        return results.stream().filter(old -> sameKey(old, row)).findFirst();
    }

    public List<JsonObject> all() {
        return List.copyOf(results);
    }

    /** The rows of one benchmark, by data set and variant. */
    List<JsonObject> rows(String benchmark) {
        return results.stream().filter(r -> benchmark.equals(text(r, "benchmark")))
                .sorted(Comparator.comparing((JsonObject r) -> text(r, "dataset"))
                        .thenComparing(r -> text(r, "variant")))
                .toList();
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(file)) {
            JsonArray array = new JsonArray();
            results.forEach(array::add);
            GSON.toJson(array, out);
        }
    }

    private static boolean sameKey(JsonObject a, JsonObject b) {
        for (String k : KEY) {
            if (!Objects.equals(text(a, k), text(b, k))) {
                return false;
            }
        }
        return true;
    }

    static String text(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }
}
