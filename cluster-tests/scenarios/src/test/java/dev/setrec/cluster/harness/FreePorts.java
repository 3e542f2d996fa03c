package dev.setrec.cluster.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports picked at run time, so that test runs and other programs on the machine do not collide. They come from below
 * the kernel's ephemeral range: a port in that range may be handed to an outgoing connection as its source port, and
 * a probe that connects to a port in it before the server has bound it can even connect to itself (TCP's
 * simultaneous open), then wait for an answer from itself for ever.
 */
public final class FreePorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 100;

    private FreePorts() {
    }

    /** A port nothing listens on now, below the ephemeral range where the system allows it. */
    public static int next() {
        int below = ephemeralRangeStart();
        for (int attempt = 0; below > LOWEST + ATTEMPTS && attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // another port
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** The first port of the kernel's ephemeral range, or 0 where it cannot be read (then any port will do). */
    private static int ephemeralRangeStart() {
        try {
            return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unreadable) {
            return 0;
        }
    }
}
