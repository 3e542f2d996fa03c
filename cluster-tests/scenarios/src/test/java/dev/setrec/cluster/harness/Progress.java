package dev.setrec.cluster.harness;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Timestamped lines on the test's console for each step of a cluster's start and each scenario's start and end: the
 * scenarios print nothing else for minutes, and a run that hangs or is stopped then still tells where it was.
 */
public final class Progress implements BeforeTestExecutionCallback, AfterTestExecutionCallback {
    private static final String STARTED_AT = "startedAtNanos";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** Prints {@code what} with the time of day, prefixed by the class's scenario set. */
    public static void step(String scenarios, String what) {
        System.out.printf(Locale.ROOT, "[cluster %s %s] %s%n", TIME.format(LocalTime.now()),
                scenarios, what);
        System.out.flush();
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        context.getStore(ExtensionContext.Namespace.create(Progress.class)).put(STARTED_AT, System.nanoTime());
        step(context.getRequiredTestClass().getSimpleName(), context.getDisplayName() + ": started");
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        long startedAt = context.getStore(ExtensionContext.Namespace.create(Progress.class))
                .get(STARTED_AT, Long.class);
        String outcome = context.getExecutionException()
                .map(e -> e instanceof TestAbortedException ? "skipped (" + e.getMessage() + ")" : "failed (" + e + ")")
                .orElse("passed");
        step(context.getRequiredTestClass().getSimpleName(), String.format(Locale.ROOT, "%s: %s in %.0f s",
                context.getDisplayName(), outcome, (System.nanoTime() - startedAt) / 1e9));
    }
}
