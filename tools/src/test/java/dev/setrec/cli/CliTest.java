package dev.setrec.cli;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.model.ModelIO;
import dev.setrec.testing.PlantedSequences;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end on generated data: train, evaluate, and the one-line errors on bad input. */
class CliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path model;
    static String lastError;

    static int run(String... args) {
        StringWriter err = new StringWriter();
        int status = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
        lastError = err.toString();
        return status;
    }

    @BeforeAll
    static void trainSmallModel() throws IOException {
        Dataset planted = PlantedSequences.generate(300, 60, 10, 0.9, 3);
        data = tmp.resolve("planted");
        PlantedSequences.writeDataDir(planted, data);
        model = tmp.resolve("model");
        int status = run("train", "--model", "sasrec", "--data", data.toString(), "--out", model.toString(),
                "--dim", "32", "--blocks", "1", "--ffn", "64", "--history", "10", "--lr", "0.005", "--max-epochs", "8");
        assertEquals(0, status, lastError);
    }

    @Test
    void evaluateWritesTheContractFiles() throws IOException {
        Path json = tmp.resolve("out/metrics.json");
        Path topk = tmp.resolve("out/topk.tsv");
        assertEquals(0, run("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--topk-out", topk.toString(), "--json", json.toString()), lastError);
        JsonObject metrics = new Gson().fromJson(Files.readString(json), JsonObject.class);
        assertEquals(List.of("all", "warm", "cold", "beta"), List.copyOf(metrics.keySet()).subList(0, 4));
        assertTrue(metrics.get("beta").isJsonNull(), "SASRec has no beta");
        int users = metrics.getAsJsonObject("all").get("users").getAsInt();
        assertEquals(300, users);
        List<String> lines = Files.readAllLines(topk);
        assertEquals(users, lines.stream().filter(l -> l.startsWith("all\t")).count());
        assertEquals(20, lines.get(0).split("\t")[2].split(",").length);
    }

    @Test
    void malformedDataIsAOneLineErrorWithFileAndLine() throws IOException {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("interactions.tsv"), "user_id\titem_id\tsplit\n0\t1\ttrain\n0\tx\ttrain\n");
        assertEquals(Main.BAD_INPUT, run("train", "--model", "mostpop", "--data", bad.toString(), "--out",
                tmp.resolve("never").toString()));
        assertTrue(lastError.startsWith("error: interactions.tsv:3:"), lastError);
        assertEquals(1, lastError.strip().lines().count(), lastError);
        assertTrue(Files.notExists(tmp.resolve("never")));
    }

    @Test
    void aModelForAnotherCatalogueIsRefused() throws IOException {
        Path other = tmp.resolve("other");
        PlantedSequences.writeDataDir(PlantedSequences.generate(20, 70, 6, 0.5, 4), other);
        assertEquals(Main.BAD_INPUT, run("evaluate", "--model", model.toString(), "--data", other.toString()));
        assertTrue(lastError.contains("60 items") && lastError.contains("70"), lastError);
    }

    @Test
    void aRefitNeedsAFixedEpochCount() {
        assertEquals(Main.BAD_INPUT, run("train", "--model", "sasrec", "--fit", "train+valid", "--data",
                data.toString(), "--out", tmp.resolve("refit").toString()));
        assertTrue(lastError.contains("--epochs"), lastError);
    }

    @Test
    void refitSavesTheRefitOnTrainAndValidWithTheEpochsChosenOnValid() throws IOException {
        Path trainOnly = tmp.resolve("train-only");
        Path refit = tmp.resolve("served");
        assertEquals(0, run("train", "--model", "sasrec", "--refit", "--keep-train-only", trainOnly.toString(),
                "--data", data.toString(), "--out", refit.toString(), "--dim", "32", "--blocks", "1", "--ffn", "64",
                "--history", "10", "--lr", "0.005", "--max-epochs", "4", "--patience", "2"), lastError);
        JsonObject chosen = trainingRecord(trainOnly);
        JsonObject record = trainingRecord(refit);
        assertEquals("train", chosen.get("fit").getAsString());
        assertEquals("train+valid", record.get("fit").getAsString());
        assertEquals(chosen.get("best_epoch").getAsInt(), record.get("epochs_run").getAsInt());
        JsonObject onValid = record.getAsJsonObject("chosen_on_valid");
        assertEquals(chosen.get("best_epoch").getAsInt(), onValid.get("epochs").getAsInt());
        assertEquals(chosen.get("best_valid_recall@10"), onValid.get("valid_recall@10"));
    }

    @Test
    void refitWithFitOrEpochsIsRefused() {
        assertEquals(Main.BAD_INPUT, run("train", "--model", "sasrec", "--refit", "--fit", "train+valid", "--data",
                data.toString(), "--out", tmp.resolve("refused").toString()));
        assertTrue(lastError.contains("--refit") && lastError.contains("--fit"), lastError);
        assertEquals(Main.BAD_INPUT, run("train", "--model", "sasrec", "--refit", "--epochs", "3", "--data",
                data.toString(), "--out", tmp.resolve("refused").toString()));
        assertTrue(lastError.contains("--refit") && lastError.contains("--epochs"), lastError);
        assertTrue(Files.notExists(tmp.resolve("refused")));
    }

    private static JsonObject trainingRecord(Path modelDir) throws IOException {
        return ModelIO.readManifest(modelDir).training();
    }

    @Test
    void benchRefitOnlyWritesTheRefitRowWithTheGivenChoices() throws IOException {
        Path results = tmp.resolve("bench");
        String[] common = {"bench", "quality", "--data-root", tmp.toString(), "--datasets", "planted", "--models",
                "sasrec", "--refit-only", "--results", results.toString(), "--dim", "32", "--blocks", "1", "--ffn",
                "64",
                "--history", "10"};
        assertEquals(Main.BAD_INPUT, run(common), "no epochs given");
        assertTrue(lastError.contains("--epochs"), lastError);
        String[] withEpochs = java.util.Arrays.copyOf(common, common.length + 2);
        withEpochs[common.length] = "--epochs";
        withEpochs[common.length + 1] = "2";
        assertEquals(0, run(withEpochs), lastError);
        JsonArray rows = new Gson()
                .fromJson(Files.readString(results.resolve("benchmarks/results.json")), JsonArray.class);
        assertEquals(1, rows.size());
        JsonObject row = rows.get(0).getAsJsonObject();
        assertEquals("full-refit", row.get("variant").getAsString());
        assertEquals("train+valid", row.get("fit").getAsString());
        assertTrue(row.get("command").getAsString().contains("--epochs 2"), row.get("command").getAsString());
    }

    @Test
    void mostPopTrainsAndEvaluatesOnTheValidSplit() {
        Path pop = tmp.resolve("pop");
        assertEquals(0, run("train", "--model", "mostpop", "--data", data.toString(), "--out", pop.toString()),
                lastError);
        assertEquals(0, run("evaluate", "--model", pop.toString(), "--data", data.toString(), "--split", "valid"),
                lastError);
        assertEquals(Main.BAD_INPUT,
                run("evaluate", "--model", pop.toString(), "--data", data.toString(), "--split", "tset"));
        assertTrue(lastError.contains("unknown split 'tset'"), lastError);
    }

    @Test
    void transitionsTrainsRefitsAndBenchesItsTrainAndRefitRows() throws IOException {
        Path counts = tmp.resolve("transitions");
        assertEquals(0, run("train", "--model", "transitions", "--data", data.toString(), "--out", counts.toString()),
                lastError);
        assertEquals(0, run("evaluate", "--model", counts.toString(), "--data", data.toString()), lastError);
        assertEquals(0, run("train", "--model", "transitions", "--fit", "train+valid", "--data", data.toString(),
                "--out", tmp.resolve("transitions-refit").toString()), lastError);

        Path results = tmp.resolve("bench-transitions");
        assertEquals(0, run("bench", "quality", "--data-root", tmp.toString(), "--datasets", "planted", "--models",
                "transitions", "--results", results.toString()), lastError);
        JsonArray rows = new Gson()
                .fromJson(Files.readString(results.resolve("benchmarks/results.json")), JsonArray.class);
        assertEquals(List.of("transitions full train", "transitions full-refit train+valid"),
                rows.asList().stream().map(r -> r.getAsJsonObject())
                        .map(r -> r.get("model").getAsString() + " " + r.get("variant").getAsString() + " "
                                + r.get("fit").getAsString()).toList());
        String page = Files.readString(results.resolve("BENCHMARKS.md"));
        assertTrue(page.contains("| planted | transitions |"), page);
    }

    @Test
    void newItemSlotsNeedASetRecModelAndTheHistoryInTheRanking() {
        assertEquals(Main.BAD_INPUT, run("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--new-item-slots", "1"));
        assertTrue(lastError.contains("needs a SETRec model, not sasrec"), lastError);
        assertEquals(Main.BAD_INPUT, run("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--new-item-slots", "1", "--exclude-seen"));
        assertTrue(lastError.contains("does not combine with --exclude-seen"), lastError);
    }
}
