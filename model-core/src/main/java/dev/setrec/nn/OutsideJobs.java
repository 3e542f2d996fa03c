package dev.setrec.nn;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * Starts a library that lives once per JVM (loaded by a Flink task manager from its lib/, shared by every job) on a
 * thread that holds nothing of the job that happens to start it first. A thread the library makes while it starts
 * (ONNX Runtime's shutdown hook, for one) inherits the access-control context of the code on the stack that made it,
 * and with it each class loader of that code: made from a job's task, it would hold that job's class loader until
 * the JVM ends, and with it every class of the job. Here the library's method is called by a thread of the JVM's
 * common pool (whose context names no class loader) through a JDK proxy, so that no class of the job is on the stack.
 */
final class OutsideJobs {
    private OutsideJobs() {
    }

    /** Calls {@code target} (no arguments left to bind, a result of {@code type}) outside any job's context. */
    static <T> T call(Class<T> type, MethodHandle target) {
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        try {
            // the proxy's class is defined by the context class loader: the library's, not the job's
            thread.setContextClassLoader(type.getClassLoader());
            @SuppressWarnings("unchecked")
            Callable<Object> call = MethodHandleProxies.asInterfaceInstance(Callable.class,
                    target.asType(MethodType.methodType(Object.class)));
            // a FutureTask, not a pool task: waiting for a pool task, the caller may run it itself, on its stack
            FutureTask<Object> start = new FutureTask<>(call);
            ForkJoinPool.commonPool().execute(start);
            return type.cast(start.get());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + type.getName(), e);
        } finally {
            thread.setContextClassLoader(context);
        }
    }
}
