package dev.setrec.jobs.functions;

import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedThreadLoadersTest {
    private static final ClassLoader FLINK = SharedThreadLoadersTest.class.getClassLoader();

    private final CountDownLatch jobsEnd = new CountDownLatch(1);
    private final List<Thread> started = new ArrayList<>();

    @AfterEach
    void stopThreads() throws InterruptedException {
        jobsEnd.countDown();
        for (Thread thread : started) {
            thread.join();
        }
    }

    /** A thread that waits until the test ends, as a task manager's shared threads wait for work. */
    private Thread sharedThread(String name, ClassLoader contextLoader) {
        Thread thread = new Thread(() -> {
            try {
                jobsEnd.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.setContextClassLoader(contextLoader);
        thread.setDaemon(true);
        thread.start();
        started.add(thread);
        return thread;
    }

    private static URLClassLoader loader(String name, ClassLoader parent) {
        return new URLClassLoader(name, new URL[0], parent);
    }

    @Test
    void threadsNamingTheJobsLoaderOrOneBelowItGetTheLoaderAboveTheJob() {
        URLClassLoader job = loader("job", FLINK);
        URLClassLoader wrapper = loader("safety-net", job); // Flink's wrapper around the job's loader
        Thread netty = sharedThread("netty-client", wrapper);
        Thread direct = sharedThread("started-by-the-job", job);
        Thread flinks = sharedThread("flinks-own", FLINK);
        Thread other = sharedThread("another-job", loader("other-job", FLINK));

        List<String> reset = SharedThreadLoaders.release(Set.of(job));

        assertEquals(Set.of("netty-client", "started-by-the-job"), Set.copyOf(reset));
        assertSame(FLINK, netty.getContextClassLoader());
        assertSame(FLINK, direct.getContextClassLoader());
        assertSame(FLINK, flinks.getContextClassLoader());
        assertEquals("other-job", other.getContextClassLoader().getName());
    }

    @Test
    void theCallingThreadKeepsItsLoader() {
        URLClassLoader job = loader("job", FLINK);
        Thread caller = Thread.currentThread();
        ClassLoader before = caller.getContextClassLoader();
        caller.setContextClassLoader(job);
        try {
            SharedThreadLoaders.release(Set.of(job));
            assertSame(job, caller.getContextClassLoader());
        } finally {
            caller.setContextClassLoader(before);
        }
    }

    @Test
    void loadersThatAreFlinksOrAboveItAreNeverTheJobs() {
        URLClassLoader job = loader("job", FLINK);
        assertEquals(Set.of(job), SharedThreadLoaders.jobLoaders(job, FLINK, FLINK));
        assertEquals(Set.of(), SharedThreadLoaders.jobLoaders(FLINK, FLINK.getParent(), FLINK));
        assertEquals(Set.of(), SharedThreadLoaders.jobLoaders(null, null, FLINK));
    }

    @Test
    void theHookRunsOnReleaseAndLetsTheJobsLoaderBeCollected() throws InterruptedException {
        Map<String, Runnable> hooks = new LinkedHashMap<>();
        URLClassLoader job = loader("job", FLINK);
        Thread netty = sharedThread("netty-client", job);
        SharedThreadLoaders.releaseOnJobEnd(userCodeLoader(job, hooks));
        SharedThreadLoaders.releaseOnJobEnd(userCodeLoader(job, hooks)); // every task registers: one hook
        assertEquals(1, hooks.size());
        WeakReference<ClassLoader> released = new WeakReference<>(job);
        job = null;
        hooks.values().iterator().next().run();
        hooks.clear();

        assertSame(FLINK, netty.getContextClassLoader());
        for (int i = 0; i < 50 && released.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(released.get(), "the job's loader is collected once no thread names it");
    }

    @Test
    void aJobWhoseClassesAreFlinksRegistersNothing() {
        Map<String, Runnable> hooks = new LinkedHashMap<>();
        SharedThreadLoaders.releaseOnJobEnd(userCodeLoader(FLINK, hooks));
        assertTrue(hooks.isEmpty());
    }

    /** Flink's user-code loader as a sink writer sees it: the loader and its release hooks (run by Flink). */
    private static UserCodeClassLoader userCodeLoader(ClassLoader loader, Map<String, Runnable> hooks) {
        return new UserCodeClassLoader() {
            @Override
            public ClassLoader asClassLoader() {
                return loader;
            }

            @Override
            public void registerReleaseHookIfAbsent(String name, Runnable hook) {
                hooks.putIfAbsent(name, hook);
            }
        };
    }
}
