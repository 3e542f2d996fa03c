package dev.setrec.cli;

import ai.djl.Device;
import dev.setrec.nn.Engines;
import picocli.CommandLine.Option;

/** Where and how the PyTorch engine runs; shared by every command that runs a model. */
final class EngineOptions {
    @Option(names = "--threads", description = "intra-op threads (default: one per core)")
    int threads = 0;
    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default ${DEFAULT-VALUE})")
    String device;

    /** Starts the engine with these settings and returns the device models will use. */
    Device start() {
        Engines.pytorch(threads);
        return Engines.useDevice(device);
    }
}
