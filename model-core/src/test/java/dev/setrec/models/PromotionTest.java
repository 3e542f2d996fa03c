package dev.setrec.models;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.MostPop;
import dev.setrec.model.Recommender;
import dev.setrec.model.Transitions;
import dev.setrec.testing.PlantedSequences;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promotion on planted sequences, where the successor chain makes Transitions clearly better than MostPop (which
 * popularity barely helps): the better and the worse candidate are real fits, no figure is assumed.
 */
class PromotionTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    /** Every promotion in one second: names must still sort in promotion order. */
    private static final Clock SAME_SECOND = Clock.fixed(Instant.parse("2026-12-07T21:30:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path tmp;
    static Dataset data;
    static Path popular;
    static Path sequential;

    @TempDir
    Path folder;

    @BeforeAll
    static void fitBothModels() throws IOException {
        data = PlantedSequences.generate(200, 40, 8, 0.9, 11);
        popular = save(MostPop.TYPE, tmp.resolve("mostpop"));
        sequential = save(Transitions.TYPE, tmp.resolve("transitions"));
    }

    private static Path save(String type, Path dir) throws IOException {
        Training.Trained trained = Training.fit(type, data, Training.Fit.TRAIN, Training.Options.defaults(), QUIET);
        try (Recommender model = trained.model()) {
            ModelIO.save(model, dir, trained.record());
        }
        return dir;
    }

    private Promotion.Decision promote(Path candidate) throws IOException {
        return Promotion.decide(candidate, folder, data, Split.VALID, SAME_SECOND);
    }

    @Test
    void theFirstVersionIsPromotedIntoAnEmptyFolderWhenItLoads() throws IOException {
        Promotion.Decision decision = promote(popular);
        assertTrue(decision.promoted(), decision.reason());
        assertNull(decision.serving());
        String version = ModelIO.readManifest(popular).version();
        assertEquals("20261207-213000-" + version, decision.promotedName());
        assertEquals(version, ModelIO.readManifest(decision.promotedDir()).version(), "copied whole");
        assertEquals(List.of(decision.promotedName()), entries(), "no temporary dir left behind");
    }

    @Test
    void aBetterCandidateIsPromotedUnderANameThatSortsAfterTheServingOne() throws IOException {
        String first = promote(popular).promotedName();
        Promotion.Decision decision = promote(sequential);
        assertTrue(decision.promoted(), decision.reason());
        assertEquals(folder.resolve(first), decision.serving().dir());
        assertTrue(decision.candidate().allRecallAt10() > decision.serving().allRecallAt10(),
                decision.candidate().describe() + " / " + decision.serving().describe());
        assertTrue(decision.promotedName().compareTo(first) > 0, decision.promotedName() + " after " + first);
        assertEquals(List.of(decision.promotedName(), first), entries());
    }

    @Test
    void aWorseCandidateIsRefusedAndNothingIsWritten() throws IOException {
        promote(sequential);
        List<String> before = entries();
        Promotion.Decision decision = promote(popular);
        assertFalse(decision.promoted());
        assertTrue(decision.reason().contains("All Recall@10"), decision.reason());
        assertTrue(decision.candidate().allRecallAt10() < decision.serving().allRecallAt10());
        assertNull(decision.promotedDir());
        assertEquals(before, entries());
    }

    @Test
    void theServingVersionAgainItselfIsNotBetter() throws IOException {
        promote(sequential);
        List<String> before = entries();
        assertFalse(promote(sequential).promoted());
        assertEquals(before, entries());
    }

    @Test
    void aCandidateWithCorruptWeightsIsRefusedWithTheReason() throws IOException {
        Path corrupt = copyOf(sequential, tmp.resolve("corrupt-weights"));
        try (Stream<Path> files = Files.list(corrupt)) {
            Path weights = files.filter(f -> !f.getFileName().toString().equals(ModelManifest.FILE)).findFirst()
                    .orElseThrow();
            Files.write(weights, new byte[] {1}, StandardOpenOption.APPEND);
        }
        Promotion.Decision decision = promote(corrupt);
        assertFalse(decision.promoted());
        assertTrue(decision.reason().startsWith("broken candidate") && decision.reason().contains("corrupt"),
                decision.reason());
        assertEquals(List.of(), entries());
    }

    @Test
    void aCandidateWithACorruptManifestIsRefusedAndTheServingOneStays() throws IOException {
        String serving = promote(popular).promotedName();
        Path corrupt = copyOf(sequential, tmp.resolve("corrupt-manifest"));
        Files.writeString(corrupt.resolve(ModelManifest.FILE), "{\"format\": 1, \"type\": ");
        Promotion.Decision decision = promote(corrupt);
        assertFalse(decision.promoted());
        assertTrue(decision.reason().contains("not valid JSON"), decision.reason());
        assertEquals(List.of(serving), entries());
    }

    @Test
    void aHigherAllRecallDoesNotMakeUpForALowerColdRecallWhereTheSliceHasColdUsers() {
        Promotion.Figures serving = new Promotion.Figures(folder, "setrec", "a", 0.10, 0.05, 20);
        Promotion.Figures colder = new Promotion.Figures(folder, "setrec", "b", 0.11, 0.04, 20);
        assertTrue(Promotion.worseThanServing(colder, serving).orElseThrow().startsWith("Cold Recall@10"));
        Promotion.Figures noColdUsers = new Promotion.Figures(folder, "setrec", "b", 0.11, 0, 0);
        assertEquals(Optional.empty(), Promotion.worseThanServing(noColdUsers,
                new Promotion.Figures(folder, "setrec", "a", 0.10, 0, 0)));
    }

    @Test
    void aModelDirIsNotAModelsFolder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Promotion.decide(sequential, popular, data, Split.VALID, SAME_SECOND));
        assertTrue(e.getMessage().contains("not a models folder"), e.getMessage());
    }

    @Test
    void aRefitIsNotComparedOnTheValidSplitItTrainedOn() throws IOException {
        Training.Trained refit = Training.fit(Transitions.TYPE, data, Training.Fit.TRAIN_VALID,
                Training.Options.defaults(), QUIET);
        Path dir = tmp.resolve("transitions-refit");
        try (Recommender model = refit.model()) {
            ModelIO.save(model, dir, refit.record());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> promote(dir));
        assertTrue(e.getMessage().contains("fitted on train+valid"), e.getMessage());
        assertTrue(entries().isEmpty(), "nothing written: " + entries());
        assertTrue(Promotion.decide(dir, folder, data, Split.TEST, SAME_SECOND).promoted(), "on test it may go in");
    }

    @Test
    void aVersionNameGivesBackTheModelVersionItWasMadeWith() throws IOException {
        String name = Promotion.nextVersionName(folder, "7a018b60e90ac945", SAME_SECOND);
        assertEquals(Optional.of("7a018b60e90ac945"), Promotion.modelVersionOf(name));
        assertEquals(Optional.empty(), Promotion.modelVersionOf("quick-setrec"), "no stamp");
        assertEquals(Optional.empty(), Promotion.modelVersionOf(name.substring(0, 15)), "a stamp alone");
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted((a, b) -> b.compareTo(a)).toList();
        }
    }

    private static Path copyOf(Path model, Path copy) throws IOException {
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }
}
