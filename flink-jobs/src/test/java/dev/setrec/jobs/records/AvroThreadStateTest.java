package dev.setrec.jobs.records;

import org.apache.avro.Schema;
import org.apache.flink.util.ChildFirstClassLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job's Avro, loaded child-first as Flink loads a job jar, used on a pool thread that outlives the job (as the job
 * manager deserializes a job's Avro serializers): its class loader can be collected after {@link
 * AvroThreadState#release()}, and not before.
 */
class AvroThreadStateTest {
    private static final String SCHEMA = "{\"type\": \"record\", \"name\": \"R\", \"fields\": []}";
    /** Full collections until a weakly held object is gone: the JVM may take more than one to unload classes. */
    private static final int COLLECTIONS = 10;

    /** The job manager's long-lived pool thread. */
    private final ExecutorService outlivingThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThread() {
        outlivingThread.shutdownNow();
    }

    /**
     * Parses a schema with the job's Avro on the pool thread, then ends the job (with {@link AvroThreadState#release()}
     * where {@code release}); returns the job's class loader, weakly held.
     */
    private WeakReference<ClassLoader> runJobOnPoolThread(boolean release) throws Exception {
        ChildFirstClassLoader job = new ChildFirstClassLoader(new URL[] {location(Schema.class),
                location(AvroThreadState.class)}, getClass().getClassLoader(),
                new String[] {"java.", "org.apache.flink.", "org.slf4j", "org.junit"}, e -> { });
        Class<?> parser = job.loadClass(Schema.Parser.class.getName());
        assertTrue(parser.getClassLoader() == job, "Avro is the job's own");
        outlivingThread.submit(() -> parser.getMethod("parse", String.class)
                .invoke(parser.getConstructor().newInstance(), SCHEMA)).get();
        if (release) {
            int released = (int) job.loadClass(AvroThreadState.class.getName()).getMethod("release").invoke(null);
            assertTrue(released > 0, "entries of the job's Avro on the pool thread: " + released);
        }
        job.close();
        return new WeakReference<>(job);
    }

    private static URL location(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static boolean collected(WeakReference<?> reference) throws InterruptedException {
        for (int i = 0; i < COLLECTIONS && reference.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return reference.get() == null;
    }

    @Test
    void afterReleaseTheJobsClassLoaderIsCollectedThoughTheThreadLivesOn() throws Exception {
        WeakReference<ClassLoader> job = runJobOnPoolThread(true);

        assertTrue(collected(job), "the job's class loader is still held");
    }

    @Test
    void withoutReleaseThePoolThreadKeepsTheJobsClassLoader() throws Exception {
        WeakReference<ClassLoader> job = runJobOnPoolThread(false);

        assertTrue(!collected(job), "the pool thread's ThreadLocal map holds the job's Avro");
        assertNotNull(job.get());
    }

    @Test
    void avroSharedWithFlinkIsLeftAlone() {
        assertEquals(0, AvroThreadState.release(), "the test's Avro is on the class path, shared by all");
    }
}
