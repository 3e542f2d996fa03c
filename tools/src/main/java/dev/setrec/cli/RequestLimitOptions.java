package dev.setrec.cli;

import dev.setrec.serve.RequestLimits;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The model server's {@link RequestLimits} as a picocli mixin. */
final class RequestLimitOptions {
    @Option(names = "--max-k", defaultValue = "1000", description = "largest k (default ${DEFAULT-VALUE})")
    int maxK;
    @Option(names = "--max-histories", defaultValue = "512",
            description = "histories (or items) per request (default ${DEFAULT-VALUE})")
    int maxHistories;
    @Option(names = "--max-history", defaultValue = "200", description = "items per history (default ${DEFAULT-VALUE})")
    int maxHistory;
    @Option(names = "--max-body-bytes", defaultValue = "1048576",
            description = "largest request body (default ${DEFAULT-VALUE})")
    int maxBodyBytes;
    @Option(names = "--body-timeout-ms", defaultValue = "30000",
            description = "longest a request body may take to arrive; beyond, 408 (default ${DEFAULT-VALUE})")
    long bodyTimeoutMs;
    @Option(names = "--max-id-bytes", defaultValue = "256",
            description = "longest item id, history or exclude entry and user, in UTF-8 bytes (default "
                    + "${DEFAULT-VALUE})")
    int maxIdBytes;
    @Option(names = "--max-text-bytes", defaultValue = "4096",
            description = "longest title, brand and category level, in UTF-8 bytes (default ${DEFAULT-VALUE})")
    int maxTextBytes;
    @Option(names = "--max-categories", defaultValue = "32",
            description = "most category levels of an item (default ${DEFAULT-VALUE})")
    int maxCategories;
    @Option(names = "--max-description-bytes", defaultValue = "16384",
            description = "a longer description is cut to this many UTF-8 bytes (default ${DEFAULT-VALUE})")
    int maxDescriptionBytes;

    RequestLimits limits() {
        return new RequestLimits(maxK, maxHistories, maxHistory, maxBodyBytes, maxIdBytes, maxTextBytes,
                maxCategories, maxDescriptionBytes, Duration.ofMillis(bodyTimeoutMs));
    }
}
