package dev.setrec.jobs.quickstart;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Sends what the libraries of this process print to a log file, so that the console shows the command's own output
 * alone: the slf4j loggers (Kafka, Flink, DJL, ...) and what native code writes to file descriptor 2 (libtorch's
 * warnings, which no Java setting reaches). {@code System.err} stays on the console, so the command's own messages and
 * training progress still show. Call it first thing in a command, before anything logs: slf4j-simple (the launcher's
 * logger) picks its output once, at its first logger.
 */
public final class LibraryLog {
    private static final int STDERR = 2;

    private LibraryLog() {
    }

    /**
     * The libraries log warnings and errors only, and DJL's probe for CUDA, which fails on every machine without a
     * GPU, errors only; a level given with -D on the command line stands. For the whole command line (its main):
     * slf4j-simple reads the levels at its first logger.
     */
    public static void warningsAndErrorsOnly() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }

    /**
     * Routes the libraries' logging to {@code file} (appended to). Where native stderr cannot follow (no POSIX
     * {@code dup2}, a console that cannot be opened again), only the Java loggers go to the file.
     */
    public static void routeTo(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        // Flink's REST API serves the job manager's log from here, and warns at each start where none is named
        setIfAbsent("log.file", file.toAbsolutePath().toString());
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        Optional<PrintStream> console = reopenedStderr();
        if (console.isEmpty() || !pointStderrAt(file)) {
            console.ifPresent(PrintStream::close);
            setIfAbsent("org.slf4j.simpleLogger.logFile", file.toString()); // the Java loggers at least
            return;
        }
        // fd 2 is the log now, and with it the JVM's first System.err: slf4j-simple keeps that one, the rest of the
        // process gets the console
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
        LoggerFactory.getILoggerFactory();
        System.setErr(console.get());
    }

    /** A second stream to what fd 2 is now (a terminal, a pipe, a file), which stays when fd 2 moves. */
    private static Optional<PrintStream> reopenedStderr() {
        try {
            return Optional.of(new PrintStream(new FileOutputStream("/dev/fd/" + STDERR, true), true,
                    StandardCharsets.UTF_8));
        } catch (IOException | SecurityException notReopenable) { // a socket, say
            return Optional.empty();
        }
    }

    /** Points fd 2 at {@code file}, opened for appending; whether it could. */
    private static boolean pointStderrAt(Path file) {
        if (Platform.isWindows()) {
            return false;
        }
        try (FileOutputStream log = new FileOutputStream(file.toFile(), true)) {
            return CLibrary.C.dup2(descriptor(log.getFD()), STDERR) == STDERR;
        } catch (IOException | ReflectiveOperationException | LinkageError | RuntimeException noDup2) {
            return false;
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** The number of an open file's descriptor (java.io is open to this code in the launcher, as Flink needs). */
    private static int descriptor(FileDescriptor fd) throws ReflectiveOperationException {
        Field number = FileDescriptor.class.getDeclaredField("fd");
        number.setAccessible(true);
        return number.getInt(fd);
    }

    /** The C library's {@code dup2}: points a descriptor at another one's file. */
    private interface CLibrary extends Library {
        CLibrary C = Native.load(Platform.C_LIBRARY_NAME, CLibrary.class);

        int dup2(int oldFd, int newFd);
    }
}
