package dev.setrec.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A one-line description of the machine a figure was measured on. */
public final class Machine {
    private Machine() {
    }

    public static String describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // not Linux: keep the generic name
        }
        long memGiB = Math.round(memoryBytes() / (1024.0 * 1024 * 1024));
        return String.format(Locale.ROOT, "%d cores (%s), %d GiB RAM, no GPU used, Java %s, %s",
                Runtime.getRuntime().availableProcessors(), cpu, memGiB, System.getProperty("java.version"),
                System.getProperty("os.name"));
    }

    private static long memoryBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        return Runtime.getRuntime().maxMemory();
    }
}
