package dev.setrec.cluster.harness;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapPathsTest {
    /** A class loader a test keeps (or only seems to keep), as a job's class loader is kept. */
    static final class Kept extends ClassLoader {
        Kept() {
            super(HeapPathsTest.class.getClassLoader());
        }
    }

    @Test
    void findsTheThreadThatKeepsALoaderAndLeavesOutOneOnlyHeldByAReference(@TempDir Path dir) throws Exception {
        Kept byThread = new Kept();
        SoftReference<Kept> softly = new SoftReference<>(new Kept());
        CountDownLatch end = new CountDownLatch(1);
        Thread keeper = new Thread(() -> {
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loader-keeper");
        keeper.setContextClassLoader(byThread);
        keeper.start();
        byThread = null; // only the thread holds it now
        try {
            Path dump = dir.resolve("heap.hprof");
            // every object, reachable or not: the softly held loader must be in the dump to be left out
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), false);

            Map<Long, List<String>> paths = HeapPaths.to(dump, Set.of(Kept.class.getName()));

            assertEquals(1, paths.size(), "the loader the thread holds, not the one a reference holds: " + paths);
            List<String> path = paths.values().iterator().next();
            assertTrue(path.get(0).startsWith("thread \"loader-keeper\""), path.toString());
            assertTrue(path.get(path.size() - 1).startsWith(Kept.class.getName()), path.toString());
            assertTrue(path.get(path.size() - 1).contains("java.lang.Thread.contextClassLoader"), path.toString());
            assertNotNull(softly.get(), "the softly held loader was in the dump, not collected before it");

            assertEquals(Set.of("loader-keeper"), HeapPaths.rootThreads(paths));
            String stacks = new Jcmd(ProcessHandle.current().pid()).threadStacks(HeapPaths.rootThreads(paths));
            assertTrue(stacks.startsWith("\"loader-keeper\"") && stacks.contains("CountDownLatch.await"),
                    "the keeper's stack, where it waits: " + stacks);
        } finally {
            end.countDown();
            keeper.join();
        }
    }
}
