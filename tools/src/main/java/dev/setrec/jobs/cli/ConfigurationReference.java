package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.time.Duration;

/**
 * docs/configuration.md, written from the code: the job's options ({@link JobOptions}) and every visible option of
 * every ./setrec command, so that the reference cannot drift from what the job and the command line accept.
 */
final class ConfigurationReference {
    /** The command that rewrites the file; the test that compares it names this command. */
    static final String REGENERATE = "./setrec docs";

    private ConfigurationReference() {
    }

    static String render(CommandLine cli) {
        StringBuilder md = new StringBuilder("# Configuration\n\n")
                .append("Generated from the code by `").append(REGENERATE).append("`; do not edit by hand (a test "
                        + "fails when this ")
                .append("file differs\nfrom what the code says).\n\n")
                .append("## The streaming job's options\n\n")
                .append("Given as `--set key=value` to `./setrec job` and `./setrec quickstart`, or in a ")
                .append("`--properties` file (the\ndeployment's is `deploy/job.properties`). Flink's own keys (e.g. ")
                .append("`parallelism.default`,\n`execution.checkpointing.interval`) pass through to Flink; an "
                        + "unknown ")
                .append("`setrec.*` key is refused. What they do:\n[streaming-job.md](streaming-job.md), ")
                .append("[input.md](input.md) for the `setrec.input.*` limits.\n\n")
                .append("| key | default | what |\n|---|---|---|\n");
        for (ConfigOption<?> option : JobOptions.all()) {
            md.append("| `").append(option.key()).append("` | ").append(defaultOf(option)).append(" | ")
                    .append(cell(new HtmlFormatter().format(option.description()))).append(" |\n");
        }
        md.append("\n## The command line\n\n")
                .append("Each command's options, as `./setrec COMMAND --help` prints them (every command also takes ")
                .append("`--help`).\n");
        appendCommands(md, cli);
        return md.toString();
    }

    private static void appendCommands(StringBuilder md, CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.usageMessage().hidden()) {
            return;
        }
        var args = spec.args().stream().filter(ConfigurationReference::documented).toList();
        if (spec.parent() != null && (!args.isEmpty() || command.getSubcommands().isEmpty())) {
            md.append("\n### `").append(spec.qualifiedName()).append("`\n\n")
                    .append(cell(String.join(" ", spec.usageMessage().description()))).append("\n\n")
                    .append("| option | default | what |\n|---|---|---|\n");
            for (ArgSpec arg : args) {
                md.append("| `").append(name(arg)).append("` | ")
                        .append(arg.defaultValue() == null ? "-" : cell(arg.defaultValue())).append(" | ")
                        .append(cell(String.join(" ", arg.description()))).append(" |\n");
            }
        }
        command.getSubcommands().values().forEach(sub -> appendCommands(md, sub));
    }

    private static boolean documented(ArgSpec arg) {
        return !arg.hidden() && !(arg instanceof OptionSpec o && (o.usageHelp() || o.versionHelp()));
    }

    private static String name(ArgSpec arg) {
        String label = arg.typeInfo().isBoolean() ? "" : " " + arg.paramLabel();
        return arg instanceof OptionSpec o ? String.join(", ", o.names()) + label : arg.paramLabel();
    }

    private static String defaultOf(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "-";
        }
        Object value = option.defaultValue();
        return cell(value instanceof Duration d ? TimeUtils.formatWithHighestUnit(d) : String.valueOf(value));
    }

    /** Text as one markdown table cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace('\n', ' ');
    }
}
