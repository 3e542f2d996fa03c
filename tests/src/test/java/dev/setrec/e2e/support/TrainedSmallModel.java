package dev.setrec.e2e.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Trains {@link SmallModel} (once per JVM) before a test class's first test, so that no test's own timeout has to
 * cover the training: about 30 s on 2 idle cores, guarded by the test JVM's fork timeout.
 */
public final class TrainedSmallModel implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        SmallModel.get();
    }
}
