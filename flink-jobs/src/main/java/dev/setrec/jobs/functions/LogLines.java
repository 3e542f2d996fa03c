package dev.setrec.jobs.functions;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A stream whose every line goes to a consumer (a logger's info, say): what model-core prints to a PrintStream ends
 * up in a task manager's log, next to the job's own lines, not in its stdout file that no one reads. A last line
 * without its newline is passed on when the stream closes.
 */
final class LogLines extends OutputStream {
    private final Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private LogLines(Consumer<String> lines) {
        this.lines = lines;
    }

    /** A print stream of UTF-8 text whose lines go to {@code lines}, without their line ends. */
    static PrintStream to(Consumer<String> lines) {
        return new PrintStream(new LogLines(lines), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            passOn();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            passOn();
        }
    }

    private void passOn() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        lines.accept(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
    }
}
