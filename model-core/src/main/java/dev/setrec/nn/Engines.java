package dev.setrec.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Starts DJL's PyTorch engine once per JVM (also where this class is loaded by several class loaders, as a Flink
 * task manager does for each job, with DJL itself loaded once from its lib/): offline (every native library comes from
 * the Maven jars), with a
 * chosen number of intra-op threads. Threads must be set after the engine is loaded, or JNI is not yet bound.
 * The text encoder's ONNX Runtime engine is started here too, by name, so that neither engine is picked by
 * DJL's default-engine rule.
 */
public final class Engines {
    private static final String ONNX_RUNTIME = "OnnxRuntime";
    private static final String CUDA_PROBE_IN_CHILD_PROCESS = "ai.djl.util.cuda.fork";
    private static Engine engine;
    private static Device device = Device.cpu();

    private Engines() {
    }

    /**
     * DJL's settings, before an engine starts: offline, and, where DJL is shared by class loaders that come and go
     * (a Flink task manager: DJL in its lib/, this class loaded per job), DJL's CUDA probe in a child process. Its
     * probe in this process goes through JNA, which starts JNA's cleaner thread from the job's task: that thread
     * lives as long as the JVM and, through the access-control context it inherits, holds the job's class loader,
     * so that no ended job's classes could ever be unloaded. A user's own setting of the property wins.
     */
    private static void setUpOncePerJvm() {
        System.setProperty("ai.djl.offline", "true");
        if (sharedByJobs() && System.getProperty(CUDA_PROBE_IN_CHILD_PROCESS) == null) {
            System.setProperty(CUDA_PROBE_IN_CHILD_PROCESS, "true");
        }
    }

    /** Whether DJL lives in a class loader above this class's, as in a task manager that runs job after job. */
    private static boolean sharedByJobs() {
        return Engines.class.getClassLoader() != Engine.class.getClassLoader();
    }

    /** The PyTorch engine, started on first use with {@code threads} intra-op threads (0 = one per core). */
    public static synchronized Engine pytorch(int threads) {
        if (engine == null) {
            setUpOncePerJvm();
            engine = Engine.getEngine("PyTorch");
            int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            JniUtils.setNumThreads(n);
            // libtorch takes the inter-op thread count once per process and refuses it again. This class is loaded
            // once per class loader (on a Flink cluster: once per job), while DJL and libtorch live once per task
            // manager JVM, so a later job finds the engine already set up and must leave it be.
            if (JniUtils.getNumInteropThreads() != 1) {
                JniUtils.setNumInteropThreads(1);
            }
        }
        return engine;
    }

    public static Engine pytorch() {
        return pytorch(0);
    }

    /**
     * Turns PyTorch's autograd recording off on the calling thread, as DJL does on the thread that starts the
     * engine: the mode is per thread and on in a new one, and with it on, the optimiser's in-place updates of the
     * weights fail ("a leaf Variable that requires grad is being used in an in-place operation"). Gradient
     * collectors turn it on for their own forward and backward pass. For a training on a thread of its own.
     */
    public static void trainOnThisThread() {
        pytorch();
        JniUtils.setGradMode(false);
    }

    /**
     * Chooses where models live from now on: {@code cpu}, {@code gpu} (an error when PyTorch sees none) or
     * {@code auto} (the first GPU where the CUDA build of libtorch sees one, else the CPU). The Maven build ships
     * the CPU build, so {@code auto} means the CPU unless a CUDA libtorch is installed (see docs/model.md, "GPU").
     */
    public static synchronized Device useDevice(String choice) {
        int gpus = pytorch().getGpuCount();
        device = switch (choice) {
            case "cpu" -> Device.cpu();
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu: PyTorch sees no GPU (the CPU build of libtorch "
                            + "is in use, or no CUDA driver); use --device cpu or auto");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("unknown --device '" + choice
                    + "' (expected auto, cpu or gpu)");
        };
        return device;
    }

    /** The device new models are created on (the CPU unless {@link #useDevice} chose otherwise). */
    public static synchronized Device device() {
        return device;
    }

    /** A root manager for one model's arrays on the chosen device. */
    public static NDManager newModelManager() {
        return pytorch().newBaseManager(device());
    }

    /**
     * The ONNX Runtime engine (offline: its native library is inside the onnxruntime jar). Its "alternative
     * engine" (PyTorch, for NDArray ops ONNX Runtime lacks) is disabled unless set otherwise: the text encoder uses
     * no such ops, and a process that only embeds texts should not load PyTorch's native libraries.
     */
    public static synchronized Engine onnxRuntime() {
        setUpOncePerJvm();
        if (System.getProperty("ai.djl.onnx.disable_alternative") == null) {
            System.setProperty("ai.djl.onnx.disable_alternative", "true");
        }
        if (!sharedByJobs()) {
            return Engine.getEngine(ONNX_RUNTIME);
        }
        try {
            // ONNX Runtime registers a shutdown hook, a thread, when DJL first starts its environment
            return OutsideJobs.call(Engine.class, MethodHandles.insertArguments(MethodHandles.publicLookup()
                    .findStatic(Engine.class, "getEngine", MethodType.methodType(Engine.class, String.class)), 0,
                    ONNX_RUNTIME));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's Engine.getEngine(String) is not there", e);
        }
    }
}
