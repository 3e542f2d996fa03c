package dev.setrec.nn;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ForkJoinWorkerThread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A library's start, called outside the calling job: on a pool thread, with its result or its failure. */
class OutsideJobsTest {
    private static volatile Thread calledOn;

    public static String where() {
        calledOn = Thread.currentThread();
        return "started";
    }

    public static String fail() {
        throw new IllegalArgumentException("cannot start");
    }

    private static String call(String method) throws ReflectiveOperationException {
        return OutsideJobs.call(String.class, MethodHandles.lookup().findStatic(OutsideJobsTest.class, method,
                MethodType.methodType(String.class)));
    }

    @Test
    void theTargetRunsOnACommonPoolThreadAndItsResultComesBack() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals("started", call("where"));
            // never the caller itself (a caller that waits for a pool task may run it on its own stack)
            assertInstanceOf(ForkJoinWorkerThread.class, calledOn);
        }
    }

    @Test
    void theTargetsFailureIsThrownToTheCaller() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> call("fail"));
        assertEquals("cannot start", failure.getMessage());
    }

    @Test
    void theCallersContextClassLoaderIsItsOwnAgainAfterwards() throws Exception {
        ClassLoader job = new URLClassLoader(new URL[0], getClass().getClassLoader());
        Thread.currentThread().setContextClassLoader(job);
        try {
            call("where");
            assertSame(job, Thread.currentThread().getContextClassLoader());
        } finally {
            Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
        }
    }
}
