package dev.setrec.model;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What model.json of a model directory says: the model type, the catalogue size it was trained for, the version
 * (a content hash of the other files, checked on load), the model's own configuration and a free-form record of
 * how it was trained (data, epochs, valid metrics, time).
 */
public record ModelManifest(int format, String type, int numItems, String version, JsonObject config,
                            JsonObject training) {
    public static final String FILE = "model.json";
    public static final int FORMAT = 1;

    /** The path of a file the model needs, or a clear error naming the directory and the missing file. */
    public static Path requireFile(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IOException("model directory " + dir + " is missing " + name + " (incomplete or not a model)");
        }
        return file;
    }
}
