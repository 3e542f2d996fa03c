package dev.setrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Named trainable tensors of one model, owned by one long-lived manager. Initial values come from a seeded Java
 * RNG, so a seed fixes the initial model exactly. Saved in a small engine-independent binary format
 * (magic, then per tensor: name, shape, float32 values) that {@link #load} checks name by name and shape by shape.
 */
public final class ParameterStore implements AutoCloseable {
    private static final int MAGIC = 0x53455452; // "SETR"
    private static final int FORMAT = 1;

    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Random random;

    public ParameterStore(NDManager parent, long seed) {
        this.manager = parent.newSubManager();
        this.random = new Random(seed);
    }

    public NDManager manager() {
        return manager;
    }

    /** Normal(0, std) initial values. */
    public NDArray normal(String name, float std, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return add(name, v, shape);
    }

    /** Xavier/Glorot uniform for a (out, in) weight matrix. */
    public NDArray xavier(String name, long out, long in) {
        float bound = (float) Math.sqrt(6.0 / (in + out));
        float[] v = new float[(int) (out * in)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return add(name, v, out, in);
    }

    public NDArray constant(String name, float value, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        Arrays.fill(v, value);
        return add(name, v, shape);
    }

    /** A parameter with the given initial values (row-major). */
    public NDArray add(String name, float[] values, long... shape) {
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        NDArray a = manager.create(values, new Shape(shape));
        a.setName(name);
        a.setRequiresGradient(true);
        params.put(name, a);
        return a;
    }

    public NDArray get(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    /** Removes and frees a parameter that was needed for a while only (e.g. a table trained along with the rest). */
    public void remove(String name) {
        get(name).close();
        params.remove(name);
    }

    public Collection<NDArray> all() {
        return params.values();
    }

    public long count() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size();
        }
        return n;
    }

    /**
     * Lends every parameter to {@code step} until it closes, so that the results of operations that start from a
     * parameter belong to the step and are freed with it (they would otherwise pile up in the long-lived manager).
     */
    public void lendTo(NDManager step) {
        for (NDArray a : params.values()) {
            a.tempAttach(step);
        }
    }

    /** A copy of all values (for keeping the best epoch in memory). */
    public Map<String, float[]> snapshot() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(k, v.toFloatArray()));
        return copy;
    }

    public void restore(Map<String, float[]> snapshot) {
        params.forEach((k, v) -> v.set(snapshot.get(k)));
    }

    public void save(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            write(out);
        }
    }

    public void write(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(params.size());
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.writeUTF(e.getKey());
            long[] shape = e.getValue().getShape().getShape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            for (float f : e.getValue().toFloatArray()) {
                out.writeFloat(f);
            }
        }
        out.flush();
    }

    /** Loads values saved by {@link #save} into the parameters created so far; names and shapes must match. */
    public void load(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            read(in, file.toString());
        } catch (EOFException e) {
            throw new IOException(file + ": truncated (ends before all " + params.size() + " tensors were read)");
        }
    }

    public void read(InputStream stream, String source) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        if (in.readInt() != MAGIC) {
            throw new IOException(source + ": not a parameter file");
        }
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException(source + ": parameter format " + format + " is not supported (expected " + FORMAT
                    + ")");
        }
        int n = in.readInt();
        if (n != params.size()) {
            throw new IOException(source + ": holds " + n + " tensors, the model has " + params.size());
        }
        for (String expected : new ArrayList<>(params.keySet())) {
            String name = in.readUTF();
            if (!name.equals(expected)) {
                throw new IOException(source + ": tensor '" + name + "' found where '" + expected + "' was expected");
            }
            long[] shape = new long[in.readInt()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
            }
            NDArray target = params.get(name);
            if (!Arrays.equals(shape, target.getShape().getShape())) {
                throw new IOException(source + ": tensor '" + name + "' has shape " + new Shape(shape)
                        + ", the model expects " + target.getShape());
            }
            float[] v = new float[(int) target.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readFloat();
            }
            target.set(v);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
