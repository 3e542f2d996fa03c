package dev.setrec.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine once per JVM: offline (every native library comes from the Maven jars), with a
 * chosen number of intra-op threads. Threads must be set after the engine is loaded, or JNI is not yet bound.
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
}
