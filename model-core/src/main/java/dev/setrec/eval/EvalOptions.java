package dev.setrec.eval;

import dev.setrec.data.Split;
import java.nio.file.Path;

/**
 * How to evaluate.
 *
 * @param split         VALID (history = train) or TEST (history = train + valid)
 * @param historyLength the model sees the last this many history items
 * @param excludeSeen   remove the items of the history fed to the model from the ranking (off in the paper)
 * @param topkOut       where to write the per-user top 20 lists (see {@link TopKWriter}); null for none
 * @param showProgress  show a progress bar on stderr
 */
public record EvalOptions(Split split, int historyLength, boolean excludeSeen, Path topkOut, boolean showProgress) {
    public static final int DEFAULT_HISTORY_LENGTH = 50;

    public EvalOptions {
        if (split != Split.VALID && split != Split.TEST) {
            throw new IllegalArgumentException("evaluation split must be valid or test, got " + split);
        }
        if (historyLength < 1) {
            throw new IllegalArgumentException("history length must be >= 1, got " + historyLength);
        }
    }

    /** The paper's protocol on {@code split}: last 50 history items, seen items kept, no file, no progress. */
    public static EvalOptions defaults(Split split) {
        return new EvalOptions(split, DEFAULT_HISTORY_LENGTH, false, null, false);
    }
}
