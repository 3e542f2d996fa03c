package dev.setrec.jobs.scoring;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;

/** Picks the SETRec operator the options ask for: in-process DJL (the embedded default) or the remote model server. */
public final class Operators {
    private Operators() {
    }

    /**
     * @param modelDir the model dir every task manager loads (in-process mode; unused in remote mode)
     */
    public static SetRecOperator.Factory factory(Configuration options, Path modelDir) {
        String mode = options.get(JobOptions.SCORING_MODE);
        return switch (mode) {
            case "in-process" -> InProcessSetRec.factory(modelDir, options.get(JobOptions.DEVICE),
                    options.get(JobOptions.MODEL_THREADS));
            case "remote" -> throw new UnsupportedOperationException("remote scoring mode is being built");
            default -> throw new IllegalArgumentException(JobOptions.SCORING_MODE.key() + " must be in-process or "
                    + "remote, not " + mode);
        };
    }
}
