package dev.setrec.jobs.quickstart;

import org.apache.flink.util.SerializedThrowable;

/** A failure in one console line: its root cause's class and message. */
public final class RootCause {
    static final int MAX_LENGTH = 240;
    private static final String SERIALIZED_PREFIX = SerializedThrowable.class.getName() + ": ";

    private RootCause() {
    }

    /**
     * The innermost cause of {@code error} as "class: message", first line only and cut to {@link #MAX_LENGTH}.
     * Flink hands failures over as {@link SerializedThrowable}s; they are turned back into the original exceptions
     * where {@code classLoader} knows their classes, else named by the class and message they carry.
     */
    public static String of(Throwable error, ClassLoader classLoader) {
        Throwable root = original(error, classLoader);
        while (root.getCause() != null && root.getCause() != root) {
            root = original(root.getCause(), classLoader);
        }
        String text = root instanceof SerializedThrowable serialized ? carried(serialized) : root.toString();
        int lineEnd = text.indexOf('\n');
        String line = (lineEnd < 0 ? text : text.substring(0, lineEnd)).strip();
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 3) + "...";
    }

    private static Throwable original(Throwable error, ClassLoader classLoader) {
        Throwable current = error;
        while (current instanceof SerializedThrowable serialized) {
            Throwable inner = serialized.deserializeError(classLoader);
            if (inner == serialized) {
                break; // its class is not to be had here
            }
            current = inner;
        }
        return current;
    }

    /** What a SerializedThrowable carries as its message: the original's toString, wrapped once per hand-over. */
    private static String carried(SerializedThrowable serialized) {
        String message = serialized.getMessage();
        if (message == null) {
            return serialized.getOriginalErrorClassName();
        }
        while (message.startsWith(SERIALIZED_PREFIX)) {
            message = message.substring(SERIALIZED_PREFIX.length());
        }
        return message;
    }
}
