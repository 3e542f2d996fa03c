package dev.setrec.jobs.functions;

import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogLinesTest {
    @Test
    void everyLineGoesOnWithoutItsEndAndALastPartialLineWhenClosed() {
        List<String> lines = new ArrayList<>();
        try (PrintStream out = LogLines.to(lines::add)) {
            out.println("refresh of 20261201: 4 events");
            out.printf("candidate: %.2f%n", 0.25);
            out.print("Größe\r\n");
            out.print("half ");
            out.flush();
            assertEquals(3, lines.size(), "a flush passes on no partial line: " + lines);
            out.print("a line");
        }
        assertEquals(List.of("refresh of 20261201: 4 events", "candidate: 0.25", "Größe", "half a line"), lines);
    }
}
