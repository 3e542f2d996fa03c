package dev.setrec.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataRootTest {
    @TempDir
    Path root;

    @Test
    void aGivenDirWinsOverTheEnvironment() {
        Path given = root.resolve("mine");
        Map<String, String> env = Map.of(DataRoot.ENV, root.toString());
        assertEquals(Optional.of(given), DataRoot.findDataSet(given, DataRoot.TOYS, env));
        assertEquals(Optional.of(given), DataRoot.of(given, env));
    }

    @Test
    void theEnvironmentNamesTheRootThatHoldsTheDataSets() throws IOException {
        Path toys = Files.createDirectories(root.resolve(DataRoot.TOYS));
        Map<String, String> env = Map.of(DataRoot.ENV, root.toString());
        assertEquals(Optional.of(toys), DataRoot.findDataSet(null, DataRoot.TOYS, env));
        assertEquals(root, DataRoot.require(null, env));
    }

    @Test
    void withoutARootOrWithoutTheDataSetUnderItThereIsNone() {
        assertEquals(Optional.empty(), DataRoot.findDataSet(null, DataRoot.TOYS, Map.of()));
        assertEquals(Optional.empty(), DataRoot.findDataSet(null, DataRoot.TOYS, Map.of(DataRoot.ENV, " ")));
        assertEquals(Optional.empty(),
                DataRoot.findDataSet(null, DataRoot.TOYS, Map.of(DataRoot.ENV, root.toString())));
    }

    @Test
    void aCommandThatNeedsDataSaysHowToGiveIt() {
        String dataSet = assertThrows(IllegalArgumentException.class,
                () -> DataRoot.requireDataSet(null, DataRoot.TOYS, Map.of())).getMessage();
        assertTrue(dataSet.contains("--data DIR") && dataSet.contains(DataRoot.ENV), dataSet);
        String dataRoot = assertThrows(IllegalArgumentException.class, () -> DataRoot.require(null, Map.of()))
                .getMessage();
        assertTrue(dataRoot.contains("--data-root DIR") && dataRoot.contains(DataRoot.ENV), dataRoot);
    }
}
