package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.abuse.AbuseCommand;
import io.longlink.loadtest.broadcast.BroadcastCommand;
import io.longlink.loadtest.chaos.ChaosCommand;
import io.longlink.loadtest.idle.IdleConnectionsCommand;
import io.longlink.loadtest.mqtt.MqttFanoutCommand;
import io.longlink.loadtest.sharded.ShardedCommand;
import io.longlink.loadtest.unicast.UnicastCommand;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line of ops/bench: one picocli subcommand per scenario, in the order {@code --list}
 * shows them. {@code ops/bench SCENARIO --help} prints the help generated from its options.
 */
@Command(name = "ops/bench", subcommands = {IdleConnectionsCommand.class, UnicastCommand.class,
        ChaosCommand.class, AbuseCommand.class, MqttFanoutCommand.class, ShardedCommand.class,
        BroadcastCommand.class})
public final class Scenarios {
    private Scenarios() {
    }

    /** A fresh command line (new scenario instances), to parse once. */
    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Scenarios());
        root.getSubcommands().values().forEach(c -> OptionHelp.apply(c.getCommandSpec()));
        OptionRules.register(root);
        return root;
    }

    /** Every scenario's help, for {@code ops/bench --list}. */
    public static void list(PrintStream out) {
        requireNonNull(out, "out");
        for (CommandLine c : commandLine().getSubcommands().values()) {
            c.usage(out);
            out.println();
        }
    }

    /**
     * Parses {@code SCENARIO [options]}: the scenario with its options set, or empty when the command
     * line asks for help (then printed to {@code out}).
     */
    public static Optional<Scenario> parse(List<String> args, PrintStream out) throws UsageException {
        requireNonNull(args, "args");
        requireNonNull(out, "out");
        CommandLine root = commandLine();
        try {
            ParseResult result = root.parseArgs(args.toArray(String[]::new));
            if (!result.hasSubcommand()) {
                throw new UsageException("missing scenario (expected: one of "
                        + String.join(", ", root.getSubcommands().keySet()) + ")");
            }
            CommandLine scenario = result.subcommand().commandSpec().commandLine();
            if (scenario.isUsageHelpRequested()) {
                scenario.usage(out);
                return Optional.empty();
            }
            OptionRules.checkRanges(scenario.getCommandSpec());
            return Optional.of(scenario.getCommand());
        } catch (ParameterException e) {
            throw new UsageException(OptionRules.message(e));
        }
    }
}
