package dev.setrec.jobs.cli;

import dev.setrec.cli.Main;
import dev.setrec.jobs.functions.ModelFolderRefresher;
import dev.setrec.jobs.quickstart.LibraryLog;
import picocli.CommandLine;

/**
 * The full ./setrec command line: the model commands of model-server plus the streaming ones (quickstart, job,
 * refresh-job, and bench streaming, state, reliability and cluster).
 */
public final class SetrecCli {
    private SetrecCli() {
    }

    public static void main(String[] args) {
        LibraryLog.warningsAndErrorsOnly();
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = Main.commandLine()
                .addSubcommand("quickstart", new QuickstartCommand())
                .addSubcommand("job", new JobCommand())
                .addSubcommand("refresh-job", new RefreshJobCommand(ModelFolderRefresher::new))
                .addSubcommand("docs", new DocsCommand())
                .addSubcommand(QuickModelCommand.NAME, new QuickModelCommand());
        cli.getSubcommands().get("bench").addSubcommand("streaming", new StreamingBenchCommand())
                .addSubcommand("state", new StateBenchCommand())
                .addSubcommand("reliability", new ReliabilityBenchCommand())
                .addSubcommand("cluster", new ClusterBenchCommand())
                .addSubcommand("quickstart", new QuickstartBenchCommand());
        return cli;
    }
}
