package dev.setrec.jobs.cli;

import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** ./setrec docs (hidden, for maintainers): rewrites docs/configuration.md from the code. */
@Command(name = "docs", hidden = true, description = "Rewrite docs/configuration.md from the code.")
final class DocsCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Path file = Path.of(System.getProperty("setrec.home", ".")).resolve("docs/configuration.md");
        Files.writeString(file, ConfigurationReference.render(SetrecCli.commandLine()));
        System.out.println("wrote " + file);
        return 0;
    }
}
