package dev.setrec.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** One real MiniLM per test JVM (loading it costs a 90 MB copy and a session), and cosine for the assertions. */
final class SharedMiniLm {
    private static MiniLmEncoder encoder;

    private SharedMiniLm() {
    }

    static synchronized MiniLmEncoder get() {
        if (encoder == null) {
            try {
                encoder = new MiniLmEncoder();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return encoder;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Counts the texts that reach the real model; closing it leaves the shared model open. */
    static final class Counting implements TextEncoder {
        int texts;

        @Override
        public String id() {
            return get().id();
        }

        @Override
        public int dim() {
            return get().dim();
        }

        @Override
        public float[][] encode(List<String> batch) {
            texts += batch.size();
            return get().encode(batch);
        }

        @Override
        public void close() {
        }
    }
}
