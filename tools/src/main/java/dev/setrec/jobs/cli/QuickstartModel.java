package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.jobs.quickstart.LiveFigures;
import dev.setrec.jobs.quickstart.TrainingProgress;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.models.ModelDirs;
import dev.setrec.models.ModelFolder;
import dev.setrec.models.Promotion;
import dev.setrec.util.Directories;
import dev.setrec.nn.Engines;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The models folder the quickstart's job follows, in the run's work dir, and the models added to it: each as a serving
 * copy without the held-back items, named as {@link Promotion} names a version, so that a refresh adds after them. A
 * model given with --model, or the quick model an earlier run trained, serves from the start. Without either, the
 * job starts at once on the empty folder, where the popularity fallback answers, while the quick SETRec trains in a
 * process of its own at low priority ({@link QuickModelCommand}; kept under models/ for the next runs): first on
 * train, then refitted on train + valid with the choices made on valid. As the process says each is saved, its serving
 * copy is added to the folder and the job swaps it in live. Closing stops the training process.
 */
final class QuickstartModel implements AutoCloseable {
    /** Longest wait for the training process to end once asked to, before it is killed. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /**
     * Longest wait for the job to serve a model added to its folder once the training ended: the job polls the folder
     * every few seconds and loads a version in seconds, so a model still not serving after this will not (its load
     * failed, as the job's log says), and the replay rounds waiting for it end.
     */
    static final Duration TAKEOVER_WAIT = Duration.ofMinutes(3);
    /** The training yields the cores to the job's scoring and the replay where the system can say so. */
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Path folder;
    private final Map<String, String> modelNames = new ConcurrentHashMap<>();
    private Process training;
    private Thread watcher;
    private volatile TrainingProgress progress;
    private volatile boolean added;
    private volatile long addedAtNanos;
    private volatile boolean stopping;

    private QuickstartModel(Path folder) {
        this.folder = folder;
        modelNames.put(LiveFigures.FALLBACK, LiveFigures.FALLBACK);
    }

    /**
     * @param given the --model dir, or null
     * @param dataDir the data set's dir, null for the generated shop
     * @param work the run's work dir: the serving copy or the models folder goes there
     */
    static QuickstartModel start(Path given, Path home, Dataset dataset, Path dataDir, QuickModel.Budget budget,
                                 Set<String> heldBack, Path work) throws IOException {
        Path ready = given != null ? given : QuickModel.existing(home, dataset).orElse(null);
        if (ready != null) {
            JobCommand.requireSetRecModel(ready);
            QuickstartModel model = new QuickstartModel(Files.createDirectories(work.resolve("models")));
            String version = model.addServingCopy(ready, heldBack);
            System.out.println("SETRec " + version + " serving since " + now() + " (" + ready + ")");
            return model;
        }
        Path folder = Files.createDirectories(work.resolve("models"));
        Path log = home.resolve("models").resolve(dataset.name() + "-setrec-quick-training.log");
        Files.createDirectories(log.getParent());
        QuickstartModel model = new QuickstartModel(folder);
        System.out.println("popularity fallback serving since " + now() + ": no quick SETRec yet; it trains in the "
                + "background (a few minutes; its log: " + log + ") and takes over live when ready");
        model.training = new ProcessBuilder(trainingCommand(home, dataDir, budget)).directory(work.toFile())
                .redirectErrorStream(true).start();
        model.watcher = new Thread(() -> model.awaitAndAdd(heldBack, log), "quick-setrec-training");
        model.watcher.setDaemon(true);
        model.watcher.start();
        return model;
    }

    /** This JVM's java, flags and class path running {@link QuickModelCommand}, at low priority where it can. */
    private static List<String> trainingCommand(Path home, Path dataDir, QuickModel.Budget budget) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(NICE)) {
            command.addAll(List.of(NICE.toString(), "-n", "10"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SetrecCli.class.getName()));
        command.addAll(QuickModelCommand.arguments(home.toAbsolutePath(), dataDir == null ? null
                : dataDir.toAbsolutePath(), budget));
        return command;
    }

    /** The models folder the job follows (and the refresh adds to): the run's models, each added as a version. */
    Path folder() {
        return folder;
    }

    /** Whether the quick model trains in the background, the fallback serving until it is added. */
    boolean trainsInTheBackground() {
        return training != null;
    }

    /**
     * Whether a SETRec version is in the folder and no training goes on that would add another: a refresh, which
     * starts from the serving SETRec, can begin.
     */
    boolean settled() {
        return !stillTraining() && !modelNames.keySet().equals(Set.of(LiveFigures.FALLBACK));
    }

    /** Whether the quick model is on its way: training, or added to the models folder within the takeover wait. */
    boolean underWay() {
        return stillTraining() || added && System.nanoTime() - addedAtNanos < TAKEOVER_WAIT.toNanos();
    }

    /** Whether the training process goes on: for the first quick model, or for its refit on train + valid. */
    boolean stillTraining() {
        return watcher != null && watcher.isAlive();
    }

    /** How far the training is, while it runs. */
    Optional<String> progress() {
        TrainingProgress now = progress;
        return now != null && training.isAlive()
                ? Optional.of((added ? "refit on train+valid: " : "") + now.describe()) : Optional.empty();
    }

    /** The served models' names by the version their recommendations carry, the fallback's included. */
    Map<String, String> modelNames() {
        return Map.copyOf(modelNames);
    }

    /** Copies the training's output into its log, adding each model as the training says it is saved. */
    private void awaitAndAdd(Set<String> heldBack, Path log) {
        try (TrainingProgress watched = new TrainingProgress(Files.newOutputStream(log),
                line -> addIfSaved(line, heldBack, log))) {
            progress = watched;
            training.getInputStream().transferTo(watched);
            int exit = training.waitFor();
            if (exit != 0 && !stopping) {
                failed("the training ended with exit code " + exit, log);
            }
        } catch (IOException e) {
            failed(e.toString(), log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Adds the serving copy of the model dir that a line of the training's output says is saved: the refit on train +
     * valid comes after the train-only model, so the job swaps it in last.
     */
    private void addIfSaved(String line, Set<String> heldBack, Path log) {
        if (!line.startsWith(QuickModelCommand.SAVED) || stopping) {
            return;
        }
        try {
            Path saved = Path.of(line.substring(QuickModelCommand.SAVED.length()));
            Engines.trainOnThisThread(); // the serving copy computes on this thread: autograd recording off
            addServingCopy(saved, heldBack);
            addedAtNanos = System.nanoTime();
            added = true;
        } catch (IOException | RuntimeException e) {
            failed(e.toString(), log);
        }
    }

    private void failed(String why, Path log) {
        if (!stopping) {
            System.out.println(added ? "the quick SETRec's refit on train+valid failed (" + why + "; see " + log
                    + "): the quick SETRec trained on train goes on serving" : "the quick SETRec could not be trained ("
                    + why + "; see " + log + "): the popularity fallback goes on serving");
        }
    }

    /**
     * Adds the serving copy of {@code modelDir} to the models folder under a time-stamped name as {@link Promotion}
     * gives, so that it comes after the versions before it and a refresh's version comes after it
     * (docs/operations.md); written under a dot name and renamed into place. The version is named after the model
     * dir it was made from before it appears, so that whoever sees it in the folder finds its name. Returns the
     * version.
     */
    private String addServingCopy(Path modelDir, Set<String> heldBack) throws IOException {
        Path staged = Files.createTempDirectory(folder, ".quickstart-");
        try {
            servingCopyWithout(modelDir, heldBack, staged);
            String version = ModelIO.readManifest(staged).version();
            modelNames.put(version, String.valueOf(modelDir.toAbsolutePath().normalize().getFileName()));
            ModelFolder.addVersion(folder, Promotion.nextVersionName(folder, version, Clock.systemUTC()),
                    dir -> Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE));
            return version;
        } finally {
            Directories.deleteTree(staged);
        }
    }

    private static String now() {
        return LocalTime.now().format(CLOCK);
    }

    /** A copy of the model that does not know the held-back cold items: they arrive as item events instead. */
    private static Path servingCopyWithout(Path modelDir, Set<String> heldBack, Path out) throws IOException {
        ModelManifest manifest = ModelIO.readManifest(modelDir);
        try (SetRec full = (SetRec) ModelDirs.load(modelDir);
             SetRec serving = full.withCatalogue(full.items().without(heldBack))) {
            var trainingRecord = manifest.training().deepCopy();
            trainingRecord.addProperty("quickstart_held_back_items", heldBack.size());
            ModelIO.save(serving, out, trainingRecord);
        }
        return out;
    }

    /** Asks a training in progress to end, without waiting for it (a model half trained is never complete). */
    void stopTraining() {
        if (training != null) {
            stopping = true;
            training.destroy();
        }
    }

    /** Stops a training in progress and waits for its process to end (killed after a while). */
    @Override
    public void close() throws InterruptedException {
        if (training != null) {
            stopTraining();
            if (!training.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                training.destroyForcibly().waitFor();
            }
            watcher.join(STOP_WAIT.toMillis());
        }
    }
}
