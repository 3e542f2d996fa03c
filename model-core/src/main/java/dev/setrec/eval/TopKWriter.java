package dev.setrec.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the per-user top lists of an evaluation and writes the {@code --topk-out} file (contract, DESIGN.md
 * section 3): one line per (setting, evaluated user), {@code setting<TAB>user_id<TAB>i1,i2,...,i20}, best first;
 * all users of {@code all}, then {@code warm}, then {@code cold}, users ascending. user_id is the numeric user id
 * (the data set's row index, i.e. the user_id column of interactions.tsv), not the external reviewer id, so the
 * file joins directly with the data. A list is shorter than 20 only when the setting has fewer items.
 * Users are evaluated one setting at a time per user, so the lists are kept (20 ints each) until the end.
 */
public final class TopKWriter {
    private record Row(int user, int[] items) {
    }

    private final Map<Setting, List<Row>> rows = new EnumMap<>(Setting.class);

    public TopKWriter() {
        for (Setting s : Setting.values()) {
            rows.put(s, new ArrayList<>());
        }
    }

    /** Records a user's list; users must be added in ascending order within a setting. */
    public void add(Setting setting, int user, int[] items, int length) {
        rows.get(setting).add(new Row(user, Arrays.copyOf(items, length)));
    }

    /** Writes the file, creating parent directories. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            StringBuilder line = new StringBuilder(256);
            for (Map.Entry<Setting, List<Row>> entry : rows.entrySet()) {
                for (Row row : entry.getValue()) {
                    line.setLength(0);
                    line.append(entry.getKey().label()).append('\t').append(row.user()).append('\t');
                    for (int i = 0; i < row.items().length; i++) {
                        line.append(i == 0 ? "" : ",").append(row.items()[i]);
                    }
                    out.write(line.append('\n').toString());
                }
            }
        }
    }
}
