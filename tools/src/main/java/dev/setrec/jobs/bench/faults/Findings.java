package dev.setrec.jobs.bench.faults;

import java.util.Collection;
import java.util.stream.Collectors;

/** One line for a broken guarantee that many records show: how many, and the first few as examples. */
final class Findings {
    private static final int EXAMPLES = 3;

    private Findings() {
    }

    static String summary(String what, Collection<?> cases) {
        String examples = cases.stream().limit(EXAMPLES).map(String::valueOf).collect(Collectors.joining("; "));
        return what + ": " + cases.size() + (cases.size() > EXAMPLES ? ", the first " + EXAMPLES : "") + ": "
                + examples;
    }
}
