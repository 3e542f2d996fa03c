package dev.setrec.cluster.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports picked at run time, so that test runs and other programs on the machine do not collide. */
public final class FreePorts {
    private FreePorts() {
    }

    /**
     * A port nothing listens on now. Another program may take it before the process it is meant for binds it; the
     * operating system hands out ephemeral ports round-robin, which makes that unlikely within a test.
     */
    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
