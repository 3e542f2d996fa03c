package dev.setrec.jobs.functions;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.util.UserCodeClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Task-manager threads that outlive a job, set back to Flink's class loader when the job's class loader is released.
 *
 * <p>Flink's network client starts its Netty threads lazily, from the task thread that first reads a remote
 * partition, and a new thread inherits its creator's context class loader. Those threads serve every later job, so
 * they kept the first jobs' class loaders, and with them every class of those jobs, for the life of the task manager
 * (seen on a standalone cluster: a heap dump of each task manager after a job's end had its class loader only as the
 * context class loader of "Flink Netty Client" threads). Flink runs a job's release hooks once every task of the job
 * on this task manager has ended, before it closes the loader: a thread that still names the job's loader then
 * belongs to something else, and gets the loader above the job's instead.
 */
public final class SharedThreadLoaders {
    private static final Logger LOG = LoggerFactory.getLogger(SharedThreadLoaders.class);
    private static final String HOOK = SharedThreadLoaders.class.getName();

    private SharedThreadLoaders() {
    }

    /**
     * Registers, once per job and task manager, the hook that lets go of the job's class loaders when Flink releases
     * them. Every task of the job calls it (any task with a network input may start the network client's threads).
     */
    public static void releaseOnJobEnd(RuntimeContext context) {
        releaseOnJobEnd(context.getUserCodeClassLoader(), context::registerUserCodeClassLoaderReleaseHookIfAbsent);
    }

    /** {@link #releaseOnJobEnd(RuntimeContext)} for a sink writer, which has its class loader but no context. */
    public static void releaseOnJobEnd(UserCodeClassLoader userCode) {
        releaseOnJobEnd(userCode.asClassLoader(), userCode::registerReleaseHookIfAbsent);
    }

    private static void releaseOnJobEnd(ClassLoader userCode, BiConsumer<String, Runnable> registerHook) {
        Set<ClassLoader> jobs = jobLoaders(userCode, SharedThreadLoaders.class.getClassLoader(),
                RuntimeContext.class.getClassLoader());
        if (jobs.isEmpty()) {
            return; // the job's classes are Flink's own (a local cluster): nothing of the job to let go of
        }
        registerHook.accept(HOOK, () -> {
            List<String> reset = release(jobs);
            if (!reset.isEmpty()) {
                LOG.info("The job's class loader was the context class loader of {} threads that outlive it, now "
                        + "set to the loader above it: {}", reset.size(), reset);
            }
        });
    }

    /**
     * The candidates that are a job's own: neither {@code flink}'s loader nor one above it (where the job's classes
     * are on Flink's class path, its loaders are Flink's, and no thread must lose them).
     */
    static Set<ClassLoader> jobLoaders(ClassLoader userCode, ClassLoader classes, ClassLoader flink) {
        return Stream.of(userCode, classes).filter(loader -> loader != null && !isAtOrAbove(loader, flink))
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Sets the context class loader of every live thread but the caller whose loader is one of {@code jobs} or below
     * one of them to the first loader above them all; returns the names of the threads changed.
     */
    static List<String> release(Set<ClassLoader> jobs) {
        List<String> changed = new ArrayList<>();
        for (Thread thread : liveThreads()) {
            ClassLoader loader = thread.getContextClassLoader();
            if (thread != Thread.currentThread() && isBelowAny(loader, jobs)) {
                thread.setContextClassLoader(firstAbove(loader, jobs));
                changed.add(thread.getName());
            }
        }
        return changed;
    }

    private static ClassLoader firstAbove(ClassLoader loader, Set<ClassLoader> jobs) {
        ClassLoader above = loader;
        while (above != null && isBelowAny(above, jobs)) {
            above = above.getParent();
        }
        return above;
    }

    /** Whether {@code loader} is one of {@code jobs} or has one of them above it. */
    private static boolean isBelowAny(ClassLoader loader, Set<ClassLoader> jobs) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (jobs.contains(l)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code loader} is {@code of} or one of its ancestors. */
    private static boolean isAtOrAbove(ClassLoader loader, ClassLoader of) {
        for (ClassLoader l = of; l != null; l = l.getParent()) {
            if (l == loader) {
                return true;
            }
        }
        return false;
    }

    private static Thread[] liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count;
        while ((count = root.enumerate(threads, true)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        return Arrays.copyOf(threads, count);
    }
}
