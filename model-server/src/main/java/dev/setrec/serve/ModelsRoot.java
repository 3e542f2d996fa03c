package dev.setrec.serve;

import dev.setrec.models.ModelFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import static dev.setrec.serve.ApiError.Status.BAD_REQUEST;
import static dev.setrec.serve.ApiError.Status.MODEL_REFUSED;

/**
 * The only directory (with everything below it) that POST /v1/model/load reads models from, so that an admin token
 * does not make the server read arbitrary directories. Paths are compared as real paths: a symbolic link below the
 * root that leads out of it is refused. The root is never a filesystem root (that would allow everything).
 */
final class ModelsRoot {
    private final Path root;

    private ModelsRoot(Path root) {
        this.root = root;
    }

    /**
     * @param configured the operator's {@code --models-root}, or null for the folder holding {@code firstModel} (a
     *                   model dir) or {@code firstModel} itself (a models folder: its versions)
     * @throws IllegalArgumentException where that is a filesystem root or does not exist
     */
    static ModelsRoot of(Path configured, Path firstModel) {
        boolean modelsFolder = ModelFolder.isModelsFolder(firstModel);
        Path first = firstModel.toAbsolutePath().normalize();
        Path chosen = configured != null ? configured.toAbsolutePath().normalize()
                : modelsFolder ? first : first.getParent();
        String advice = configured != null ? "name a directory that holds model directories with --models-root"
                : "the default is " + (modelsFolder ? "the models folder --model (" : "the folder holding --model (")
                + firstModel + "); name another with --models-root";
        if (chosen == null || chosen.getParent() == null) {
            throw new IllegalArgumentException("the models root may not be a filesystem root (" + chosen + "): "
                    + advice);
        }
        Path real;
        try {
            real = chosen.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("the models root " + chosen + " does not exist: " + advice);
        }
        if (real.getParent() == null || !Files.isDirectory(real)) {
            throw new IllegalArgumentException("the models root " + chosen + " is " + (real.getParent() == null
                    ? "a filesystem root" : "not a directory") + ": " + advice);
        }
        return new ModelsRoot(real);
    }

    /**
     * The real path of the model directory {@code dir} (relative: from the root), which must lie below the root.
     *
     * @throws ApiError 400 outside the root, 422 where it does not exist
     */
    Path resolve(String dir) throws ApiError {
        Path given;
        try {
            given = root.resolve(dir).normalize();
        } catch (InvalidPathException e) {
            throw new ApiError(BAD_REQUEST, "dir is not a path: " + e.getMessage());
        }
        requireBelow(given);
        Path real;
        try {
            real = given.toRealPath();
        } catch (IOException e) {
            throw new ApiError(MODEL_REFUSED, "model " + given + " refused: the directory does not exist");
        }
        requireBelow(real);
        return real;
    }

    private void requireBelow(Path path) throws ApiError {
        if (!path.startsWith(root) || path.equals(root)) {
            throw new ApiError(BAD_REQUEST, "dir must be a directory below the models root " + root);
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
