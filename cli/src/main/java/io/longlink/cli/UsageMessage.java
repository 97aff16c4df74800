package io.longlink.cli;

import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/** The reason pushctl gives for a wrong command line, in the words pushctl has always used. */
final class UsageMessage {
    private UsageMessage() {
    }

    static String of(ParameterException e) {
        // picocli checks required arguments before it reports strays; a stray is the likelier mistake
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            String arg = unmatched.get(0);
            if (arg.startsWith("-")) {
                return "unknown option " + arg.split("=", 2)[0];
            }
            return e.getCommandLine().getSubcommands().isEmpty() ? "unexpected argument '" + arg + "'"
                    : "unknown command '" + arg + "'";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            // pushctl has no required options: a missing option is one given without its value
            if (m.getMissing().get(0) instanceof OptionSpec option) {
                return option.longestName() + " needs a value";
            }
            return e.getCommandLine().getCommandName() + " needs " + labels(m.getMissing());
        }
        if (e.getCause() instanceof TypeConversionException c && e.getArgSpec() != null) {
            return label(e.getArgSpec()) + ": " + c.getMessage();
        }
        return e.getMessage();
    }

    private static String labels(List<ArgSpec> args) {
        return args.stream().map(UsageMessage::label).collect(Collectors.joining(" and "));
    }

    private static String label(ArgSpec arg) {
        return arg instanceof OptionSpec option ? option.longestName() : ((PositionalParamSpec) arg).paramLabel();
    }
}
