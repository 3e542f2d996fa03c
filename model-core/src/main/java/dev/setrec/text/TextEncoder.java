package dev.setrec.text;

import java.util.List;

/** Maps texts to fixed-size, L2-normalised sentence embeddings. */
public interface TextEncoder extends AutoCloseable {
    /** The model and its version (and any setting that changes the vectors): the namespace of cached vectors. */
    String id();

    int dim();

    /**
     * One unit-norm row of {@link #dim()} floats per text, in order. Callers own the returned arrays.
     *
     * @throws java.io.UncheckedIOException when a cache behind the encoder cannot be written
     * @throws IllegalStateException when the model fails
     */
    float[][] encode(List<String> texts);

    @Override
    void close();
}
