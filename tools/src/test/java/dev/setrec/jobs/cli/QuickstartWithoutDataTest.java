package dev.setrec.jobs.cli;

import dev.setrec.data.DataRoot;
import dev.setrec.data.Dataset;
import dev.setrec.data.GeneratedShop;
import dev.setrec.data.Split;
import dev.setrec.jobs.quickstart.LiveFigures;
import dev.setrec.jobs.quickstart.ReportFigures;
import dev.setrec.models.ModelDirs;
import dev.setrec.model.MostPop;
import dev.setrec.model.Recommender;
import dev.setrec.models.Training;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quickstart as a user runs it from a fresh clone with no data anywhere: no --data, no SETREC_DATA, an empty
 * home. The generated shop's quick model is trained once, into that home, by the class's first step.
 */
class QuickstartWithoutDataTest {
    private static final int TOP = 10;
    private static final int HISTORY = 50;
    private static final Duration STOP_WITHIN = Duration.ofSeconds(10);
    /** slf4j's levels, libtorch's "[W1207 ...] Warning:", an exception's name or a stack frame */
    private static final Pattern NOISE = Pattern.compile("\\b(WARN|ERROR)\\b|Warning:|Exception|^\\s+at |^Caused by:");

    @TempDir
    static Path home;
    private static Dataset shop;
    private static Path quickModel;

    @BeforeAll
    static void trainTheShopsQuickModel() throws Exception {
        shop = GeneratedShop.generate();
        quickModel = QuickModel.findOrTrain(home, shop, QuickModel.GENERATED_SHOP);
    }

    /** What the quickstart shows as online Recall@10, computed offline on the same replay: far above popularity. */
    @Test
    void theQuickModelClearlyBeatsPopularityOnline() throws Exception {
        double popularity;
        try (Recommender mostPop = MostPop.fit(shop.numItems(), Training.sequences(shop, Training.Fit.TRAIN))) {
            popularity = onlineRecall(mostPop, shop);
        }
        double setrec;
        try (Recommender model = ModelDirs.load(quickModel)) {
            setrec = onlineRecall(model, shop);
        }
        System.out.printf("online Recall@10 on the generated shop: quick SETRec %.4f, popularity %.4f%n", setrec,
                popularity);
        assertTrue(setrec > 2 * popularity, "quick SETRec " + setrec + " against popularity " + popularity);
    }

    /** A short run end to end; it leaves its report, whose figures are the summary it printed. */
    @Test
    void runsOnTheGeneratedShopRecommendsOnboardsColdItemsAndEndsCleanly() throws Exception {
        QuickstartCommand quickstart = new QuickstartCommand(home, Map.of(), false);
        String printed = runAndPrint(quickstart, "--duration", "20", "--seed-histories", "3");
        assertTrue(printed.contains("generated toy shop") && printed.contains("--data"),
                "says it runs on generated data and how to point it at real data");
        assertTrue(printed.contains("model: " + quickModel), "reuses the quick model trained before");
        LiveFigures.Snapshot summary = quickstart.summary();
        assertTrue(summary.recommendations() > 0, "recommendations reached the topic");
        assertTrue(summary.withNextItem() > 0, "live events with a next item were scored");
        assertTrue(summary.coldItemsHeldBack() > 0);
        assertEquals(summary.coldItemsHeldBack(), summary.coldItemsOnboarded(), "every new item's event was sent");
        assertTrue(summary.coldItemsRecommended() > 0, "new items known only from their item event were recommended");
        assertEquals(List.of(), thirdPartyNoise(printed), "the console shows the run's own output only");

        Path report = fileNamedIn(printed, "report: ");
        assertTrue(report.isAbsolute() && report.startsWith(home.resolve("runs").toAbsolutePath().normalize()),
                report + " is in the run's folder under the home");
        assertEquals(summary, ReportFigures.parse(Files.readString(report)).summary(),
                "the report's figures are the run's summary");
    }

    /**
     * The refresh job as the quickstart runs it, for real (the quick model fine-tuned on the window in this JVM),
     * sooner than its 2 minutes and on a slower replay, so that a refresh ends within the run: its outcome, promoted
     * or refused, is said on the console as it comes and listed in the report, and the board shows the serving
     * version.
     */
    @Test
    void aRefreshOutcomeReachesTheConsoleAndTheReport() throws Exception {
        String printed = runAndPrint(new QuickstartCommand(home, Map.of(), false), "--duration", "90", "--rate", "25",
                "--seed-histories", "3", "--set", "setrec.refresh.interval=15 s");
        assertTrue(printed.contains("refresh job running: every 15 s"), "the refresh job started");
        List<String> outcomes = printed.lines()
                .filter(line -> line.startsWith("PROMOTED ") || line.startsWith("REFUSED: ")).toList();
        assertFalse(outcomes.isEmpty(), "a refresh's outcome on the console");
        assertTrue(printed.lines().anyMatch(line -> line.startsWith("version  ") && line.contains(" promoted, ")),
                "the serving version and the refreshes on the board");
        List<String> reported = new ArrayList<>();
        ReportFigures.parse(Files.readString(fileNamedIn(printed, "report: "))).figures()
                .getAsJsonArray("refreshes").forEach(line -> reported.add(line.getAsString()));
        assertEquals(outcomes, reported, "the report lists the outcomes the console said");
        assertEquals(List.of(), thirdPartyNoise(printed), "the console shows the run's own output only");
    }

    /** Runs the quickstart in this JVM, its console captured, then printed; returns the console; exit status 0. */
    private static String runAndPrint(QuickstartCommand quickstart, String... args) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = System.out;
        int exit;
        try (PrintStream captured = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            System.setOut(captured);
            exit = new CommandLine(quickstart).execute(args);
        } finally {
            System.setOut(out);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, exit, "exit status");
        return printed;
    }

    /** The file on the console's line "{@code label}FILE" (e.g. "report: FILE"). */
    private static Path fileNamedIn(String printed, String label) {
        return printed.lines().filter(line -> line.startsWith(label))
                .map(line -> Path.of(line.substring(label.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + label + "' line on the console"));
    }

    /**
     * The launcher's run in a JVM of its own (this test JVM's flags and class path, which are the launcher's), stopped
     * with SIGTERM as Ctrl-C would (SIGINT) once recommendations show: it stops within 10 seconds with its summary and
     * exit status 0. Its whole console, stdout and stderr, the start of every part included (broker, libtorch, ONNX
     * Runtime, Flink), has none of the libraries' warnings or stack traces: they are in the log it names.
     */
    @Test
    void aSignalStopsTheRunCleanlyAndTheConsoleShowsOnlyItsOwnOutput() throws Exception {
        Path consoleFile = home.resolve("console.txt");
        Process quickstart = quickstartProcess(home, consoleFile);
        stopBySignalOnceRecommending(quickstart, consoleFile);
        String printed = Files.readString(consoleFile);
        System.out.print(printed);
        assertEquals(0, quickstart.exitValue());
        assertTrue(printed.contains("stopping (SIGTERM)") && printed.contains("summary:"),
                "says it stops, shows the summary");
        assertEquals(List.of(), thirdPartyNoise(printed), "the console shows the run's own output only");
        Path libraryLog = fileNamedIn(printed, "library logs: ");
        assertEquals(fileNamedIn(printed, "report: ").getParent(), libraryLog.getParent(),
                "beside the report, in the run's folder");
        assertTrue(Files.readString(libraryLog).contains(" WARN "), "the libraries' warnings went there");
    }

    /**
     * Without a quick model trained before, the run serves at once while the quick model trains in a process of its
     * own: a signal then ends the run and that training within 10 seconds (no training left running).
     */
    @Test
    void aSignalDuringTheQuickModelsTrainingStopsTheRunAndTheTraining(@TempDir Path freshHome) throws Exception {
        Path consoleFile = freshHome.resolve("console.txt");
        Process quickstart = quickstartProcess(freshHome, consoleFile);
        List<ProcessHandle> started = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (started.isEmpty() && System.nanoTime() < deadline && quickstart.isAlive()) {
            quickstart.descendants().forEach(started::add); // the training's process
            Thread.sleep(100);
        }
        assertFalse(started.isEmpty(), "the quick model trains in a process of its own");
        stopBySignalOnceRecommending(quickstart, consoleFile);
        assertEquals(0, quickstart.exitValue());
        assertTrue(started.stream().noneMatch(ProcessHandle::isAlive), "the training ended with the run");
        assertTrue(Files.readString(consoleFile).contains("popularity fallback serving since"),
                "the fallback served while the model trained");
    }

    /** A quickstart in a JVM of its own with {@code home} and no data, its console into {@code consoleFile}. */
    private static Process quickstartProcess(Path home, Path consoleFile) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-Dsetrec.home=" + home, "-cp", System.getProperty("java.class.path"),
                SetrecCli.class.getName(), "quickstart", "--seed-histories", "3"));
        ProcessBuilder launcher = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(consoleFile.toFile());
        launcher.environment().remove(DataRoot.ENV);
        return launcher.start();
    }

    /** Once a recommendation shows (every part started and scored), SIGTERM, as Ctrl-C would: ended within 10 s. */
    private static void stopBySignalOnceRecommending(Process quickstart, Path consoleFile) throws Exception {
        try {
            assertTrue(awaitLineStarting("user ", consoleFile, quickstart, Duration.ofMinutes(3)),
                    "recommendations within 3 minutes:\n" + Files.readString(consoleFile));
            quickstart.destroy(); // SIGTERM
            assertTrue(quickstart.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS), "stopped within " + STOP_WITHIN
                    + ":\n" + Files.readString(consoleFile));
        } finally {
            quickstart.destroyForcibly();
        }
    }

    /** Lines the run itself never prints: a library's log line, a native warning, an exception or its stack. */
    private static List<String> thirdPartyNoise(String console) {
        return console.lines().filter(line -> NOISE.matcher(line).find()).toList();
    }

    /** Whether a line starting with {@code prefix} shows in {@code file} before the process ends or time runs out. */
    private static boolean awaitLineStarting(String prefix, Path file, Process process, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.readString(file).lines().anyMatch(line -> line.startsWith(prefix))) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Share of replayed interactions (valid then test, per user in order) whose next item made the top 10. */
    private static double onlineRecall(Recommender model, Dataset data) {
        List<int[]> histories = new ArrayList<>();
        List<Integer> nextItems = new ArrayList<>();
        for (int user = 0; user < data.numUsers(); user++) {
            int[] items = allItems(data, user);
            for (int i = data.sequence(user, Split.TRAIN).length; i < items.length - 1; i++) {
                histories.add(Arrays.copyOfRange(items, Math.max(0, i + 1 - HISTORY), i + 1));
                nextItems.add(items[i + 1]);
            }
        }
        long hits = 0;
        int batch = model.preferredBatchSize();
        float[] scores = new float[batch * model.numItems()];
        for (int from = 0; from < histories.size(); from += batch) {
            List<int[]> part = histories.subList(from, Math.min(from + batch, histories.size()));
            model.score(part, scores);
            for (int b = 0; b < part.size(); b++) {
                hits += inTop(scores, b * model.numItems(), model.numItems(), nextItems.get(from + b)) ? 1 : 0;
            }
        }
        return (double) hits / histories.size();
    }

    /** The user's train, valid and test items, in time order. */
    private static int[] allItems(Dataset data, int user) {
        return Arrays.stream(Split.values()).flatMapToInt(split -> Arrays.stream(data.sequence(user, split))).toArray();
    }

    private static boolean inTop(float[] scores, int offset, int numItems, int item) {
        float target = scores[offset + item];
        int better = 0;
        for (int i = 0; i < numItems && better < TOP; i++) {
            better += scores[offset + i] > target ? 1 : 0;
        }
        return better < TOP;
    }
}
