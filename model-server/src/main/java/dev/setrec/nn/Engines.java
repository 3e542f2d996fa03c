package dev.setrec.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine once per JVM: offline (every native library comes from the Maven jars), with a
 * chosen number of intra-op threads. Threads must be set after the engine is loaded, or JNI is not yet bound.
 * The text encoder's ONNX Runtime engine is started here too, by name, so that neither engine is picked by
 * DJL's default-engine rule.
 */
public final class Engines {
    private static Engine engine;

    private Engines() {
    }

    /** The PyTorch engine, started on first use with {@code threads} intra-op threads (0 = one per core). */
    public static synchronized Engine pytorch(int threads) {
        if (engine == null) {
            System.setProperty("ai.djl.offline", "true");
            engine = Engine.getEngine("PyTorch");
            int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            JniUtils.setNumThreads(n);
            JniUtils.setNumInteropThreads(1);
        }
        return engine;
    }

    public static Engine pytorch() {
        return pytorch(0);
    }

    /**
     * The ONNX Runtime engine (offline: its native library is inside the onnxruntime jar). Its "alternative
     * engine" (PyTorch, for NDArray ops ONNX Runtime lacks) is disabled unless set otherwise: the text encoder uses
     * no such ops, and a process that only embeds texts should not load PyTorch's native libraries.
     */
    public static synchronized Engine onnxRuntime() {
        System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("ai.djl.onnx.disable_alternative") == null) {
            System.setProperty("ai.djl.onnx.disable_alternative", "true");
        }
        return Engine.getEngine("OnnxRuntime");
    }
}
