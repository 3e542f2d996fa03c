package dev.setrec.cluster;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job jar against the in-process runtime (flink-lib): what loads native libraries, or carries the MiniLM files,
 * must come from the task managers' lib/ only. A copy in the job jar would be loaded again by every job's class
 * loader: the second job on a task manager fails with "already loaded in another classloader".
 */
class JobJarPackagingIT {
    /** The packages of DJL, ONNX Runtime and JNA, and the MiniLM resources: flink-lib's alone. */
    private static final List<String> RUNTIME_ONLY = List.of("ai/djl/", "ai/onnxruntime/", "com/sun/jna/",
            "all-minilm-l6-v2");

    @Test
    void theJobJarLeavesTheInProcessRuntimeToTheTaskManagersLib() throws IOException {
        Builds builds = Builds.fromSystemProperties();
        Set<String> inJobJar = new TreeSet<>();
        for (String entry : entries(builds.jobJar())) {
            if (RUNTIME_ONLY.stream().anyMatch(entry::startsWith)) {
                inJobJar.add(entry);
            }
        }
        assertEquals(Set.of(), inJobJar, "runtime entries in " + builds.jobJar().getFileName());

        List<String> inLib = new ArrayList<>();
        try (Stream<Path> jars = Files.list(builds.inProcessLib())) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                inLib.addAll(entries(jar));
            }
        }
        for (String prefix : RUNTIME_ONLY) {
            assertTrue(inLib.stream().anyMatch(e -> e.startsWith(prefix)), "flink-lib has no " + prefix);
        }
    }

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }
}
