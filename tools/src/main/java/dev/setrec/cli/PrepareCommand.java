package dev.setrec.cli;

import dev.setrec.data.DataDirPreparer;
import dev.setrec.data.DataDirPreparer.Options;
import dev.setrec.data.DataDirPreparer.Windows;
import dev.setrec.data.DataFormatException;
import dev.setrec.data.ItemText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Turn a raw event log (CSV or TSV: user, item, timestamp) and an optional item catalogue into a"
                + " data dir with the paper's global-time split (docs/data.md, \"Your own data\").")
final class PrepareCommand implements Callable<Integer> {
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Option(names = "--events", required = true, paramLabel = "FILE",
            description = "the event log: a header row naming user, item and timestamp (any order, other columns"
                    + " ignored), one event a row")
    Path events;
    @Option(names = "--items", paramLabel = "FILE", description = "the catalogue: a header row naming item and any of"
            + " title, categories, brand, description")
    Path items;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "data dir to write (new or empty)")
    Path out;
    @Option(names = "--format", paramLabel = "FORMAT", description = "csv or tsv, for both files (default: by file"
            + " name, .csv or .tsv, optionally .gz)")
    String format;
    @Option(names = "--time-format", defaultValue = "auto", paramLabel = "KIND", description = "how timestamps are"
            + " written: seconds, millis or iso (ISO-8601); auto decides by the file's first one (default"
            + " ${DEFAULT-VALUE})")
    String timeFormat;
    @Option(names = "--valid-share", paramLabel = "F", description = "share of the events (by time) in the valid"
            + " window, the one before the test window (default 0.1)")
    Double validShare;
    @Option(names = "--test-share", paramLabel = "F", description = "share of the events (by time) in the test window,"
            + " the last (default 0.1)")
    Double testShare;
    @Option(names = "--valid-days", paramLabel = "D", description = "instead of the shares: days of the valid window,"
            + " before the test window (with --test-days)")
    Double validDays;
    @Option(names = "--test-days", paramLabel = "D", description = "instead of the shares: days of the test window,"
            + " up to the last event (with --valid-days)")
    Double testDays;
    @Option(names = "--min-train", paramLabel = "N", description = "users with fewer train events are dropped"
            + " (default ${DEFAULT-VALUE})")
    int minTrain = Options.DEFAULT_MIN_TRAIN;
    @Option(names = "--max-bad-rows", paramLabel = "N", description = "bad rows skipped and counted; one more stops"
            + " the command and nothing is written (default ${DEFAULT-VALUE})")
    long maxBadRows;
    @Option(names = "--category-separator", paramLabel = "SEP",
            description = "how the catalogue joins category levels (default '${DEFAULT-VALUE}')")
    String categorySeparator = ItemText.CATEGORY_SEPARATOR;

    @Override
    public Integer call() throws Exception {
        Options options = new Options(events, items, out, format, timeFormat,
                windows(), minTrain, maxBadRows, categorySeparator);
        DataDirPreparer.Summary summary;
        try {
            summary = DataDirPreparer.prepare(options, progress());
        } catch (DataDirPreparer.BadRowsException e) {
            throw new DataFormatException(e.getMessage() + "\n(--max-bad-rows N skips up to N bad rows and counts"
                    + " them; nothing was written)");
        }
        summary.lines().forEach(System.out::println);
        System.out.println("wrote " + out + "; next: ./setrec train --refit --data " + out + " --out MODEL");
        return 0;
    }

    private Windows windows() {
        if (validDays == null && testDays == null) {
            Windows.Shares defaults = Options.DEFAULT_WINDOWS;
            return new Windows.Shares(validShare == null ? defaults.valid() : validShare,
                    testShare == null ? defaults.test() : testShare);
        }
        if (validDays == null || testDays == null) {
            throw new IllegalArgumentException("--valid-days and --test-days go together");
        }
        if (validShare != null || testShare != null) {
            throw new IllegalArgumentException("give the windows as shares or as days, not both");
        }
        return new Windows.Days(validDays, testDays);
    }

    /** A line count on stderr every few seconds, so that a long log shows it is being read. */
    private static DataDirPreparer.Progress progress() {
        long[] last = {System.nanoTime()};
        return (file, lines) -> {
            long now = System.nanoTime();
            if (now - last[0] >= PROGRESS_EVERY_NANOS) {
                last[0] = now;
                System.err.println(String.format(Locale.ROOT, "%s: %,d lines read", file, lines));
            }
        };
    }
}
