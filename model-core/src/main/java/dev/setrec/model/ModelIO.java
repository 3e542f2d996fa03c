package dev.setrec.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves model directories and reads their manifests: model.json next to the model's own files. Loading a model of
 * any type is {@link dev.setrec.models.ModelDirs#load}.
 */
public final class ModelIO {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private ModelIO() {
    }

    /** Writes {@code model} into {@code dir} (created if needed) with the given training record. */
    public static void save(Recommender model, Path dir, JsonObject training) throws IOException {
        Files.createDirectories(dir);
        model.save(dir);
        JsonObject json = new JsonObject();
        json.addProperty("format", ModelManifest.FORMAT);
        json.addProperty("type", model.type());
        json.addProperty("num_items", model.numItems());
        json.addProperty("version", contentHash(dir));
        json.add("config", model.describe());
        json.add("training", training);
        try (Writer w = Files.newBufferedWriter(dir.resolve(ModelManifest.FILE))) {
            GSON.toJson(json, w);
        }
    }

    /** Reads and checks model.json; every problem is an IOException with a one-line reason. */
    public static ModelManifest readManifest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model directory " + dir + " does not exist (train one with ./setrec train)");
        }
        Path file = ModelManifest.requireFile(dir, ModelManifest.FILE);
        JsonObject json;
        try (Reader r = Files.newBufferedReader(file)) {
            json = GSON.fromJson(r, JsonObject.class);
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (json == null) {
            throw new IOException(file + ": empty file");
        }
        try {
            int format = json.get("format").getAsInt();
            if (format != ModelManifest.FORMAT) {
                throw new IOException(file + ": model format " + format + " is not supported (expected "
                        + ModelManifest.FORMAT + ")");
            }
            String type = json.get("type").getAsString();
            int numItems = json.get("num_items").getAsInt();
            if (numItems <= 0) {
                throw new IOException(file + ": num_items must be positive");
            }
            JsonObject training = json.has("training") ? json.getAsJsonObject("training") : new JsonObject();
            String version = json.get("version").getAsString();
            String actual = contentHash(dir);
            if (!version.equals(actual)) {
                throw new IOException("model directory " + dir + " is corrupt or was modified after saving: its files "
                        + "hash to " + actual + ", model.json says version " + version);
            }
            return new ModelManifest(format, type, numItems, version, json.getAsJsonObject("config"), training);
        } catch (NullPointerException | ClassCastException | IllegalStateException | UnsupportedOperationException e) {
            throw new IOException(file + ": missing or malformed field (format, type, num_items, version, config)");
        }
    }

    /**
     * The model version: the first 16 hex digits of SHA-256 over the names and bytes of every file of the model dir
     * except model.json, so two saves of the same weights share a version and any change of a file shows.
     */
    static String contentHash(Path dir) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(ModelManifest.FILE)).sorted().toList();
        }
        byte[] buffer = new byte[1 << 16];
        for (Path file : files) {
            sha.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                for (int r = in.read(buffer); r > 0; r = in.read(buffer)) {
                    sha.update(buffer, 0, r);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }
}
