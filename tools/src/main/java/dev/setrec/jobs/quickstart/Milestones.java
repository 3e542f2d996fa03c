package dev.setrec.jobs.quickstart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run's two milestones, each said once on a line a program can read back ({@link #parse}): the first
 * recommendation, and SETRec serving (its first recommendation; the same moment where it serves from the start). The
 * times are seconds since the run started and since the launcher started, so that the build counts
 * ({@code ./setrec} exports {@link #LAUNCHED_ENV}).
 */
public final class Milestones {
    /** The launcher's start, epoch milliseconds. */
    public static final String LAUNCHED_ENV = "SETREC_LAUNCHED_MS";
    public static final String FIRST_RECOMMENDATION = "first recommendation";
    public static final String SETREC_SERVING = "SETRec serving";
    private static final String PREFIX = "milestone: ";
    private static final Pattern LINE = Pattern.compile("^" + PREFIX + "(.+?) after (\\d+\\.\\d) s of the run"
            + "(?:, (\\d+\\.\\d) s after ./setrec started)?$");

    /** One milestone read back; {@code launchSeconds} is NaN where the launcher's start was not known. */
    public record Milestone(String name, double runSeconds, double launchSeconds) {
    }

    private final long runStartedMillis;
    private final OptionalLong launchedMillis;
    private boolean firstSaid;
    private boolean setRecSaid;

    public Milestones(long runStartedMillis, OptionalLong launchedMillis) {
        this.runStartedMillis = runStartedMillis;
        this.launchedMillis = launchedMillis;
    }

    /** From the environment's {@link #LAUNCHED_ENV}, where the launcher set it to a number. */
    public static Milestones of(long runStartedMillis, Map<String, String> environment) {
        String launched = environment.get(LAUNCHED_ENV);
        return new Milestones(runStartedMillis, launched != null && launched.matches("\\d+")
                ? OptionalLong.of(Long.parseLong(launched)) : OptionalLong.empty());
    }

    /** The lines of the milestones {@code s} shows and that were not said yet. */
    public List<String> newLines(LiveFigures.Snapshot s) {
        List<String> lines = new ArrayList<>();
        if (!firstSaid && !s.byModel().isEmpty()) {
            firstSaid = true;
            lines.add(line(FIRST_RECOMMENDATION, s.byModel().values().stream()
                    .mapToLong(LiveFigures.ModelFigures::firstArrivalMillis).min().orElseThrow()));
        }
        if (!setRecSaid) {
            s.byModel().entrySet().stream().filter(e -> !LiveFigures.FALLBACK.equals(e.getKey()))
                    .mapToLong(e -> e.getValue().firstArrivalMillis()).min().ifPresent(since -> {
                        setRecSaid = true;
                        lines.add(line(SETREC_SERVING, since));
                    });
        }
        return lines;
    }

    private String line(String name, long atMillis) {
        String line = String.format(Locale.ROOT, "%s%s after %.1f s of the run", PREFIX, name,
                (atMillis - runStartedMillis) / 1000.0);
        return launchedMillis.isEmpty() ? line : line + String.format(Locale.ROOT, ", %.1f s after ./setrec started",
                (atMillis - launchedMillis.getAsLong()) / 1000.0);
    }

    /** The milestone a console line says, if it is one. */
    public static Optional<Milestone> parse(String line) {
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Milestone(m.group(1), Double.parseDouble(m.group(2)),
                m.group(3) == null ? Double.NaN : Double.parseDouble(m.group(3))));
    }
}
