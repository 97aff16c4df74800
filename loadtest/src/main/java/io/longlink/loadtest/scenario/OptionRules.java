package io.longlink.loadtest.scenario;

import java.lang.reflect.Field;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What a scenario option accepts, the same for every scenario: an integer (1_000 allowed) inside its
 * {@link Range}, true or false, non-empty text; and the one line a bad command line gets, e.g.
 * {@code --rate: '-5' (expected: an integer from 1 to 1000000)}, whichever picocli error it was.
 */
final class OptionRules {
    private OptionRules() {
    }

    /** Registers the value converters on {@code cl} and the subcommands it has now. */
    static void register(CommandLine cl) {
        cl.registerConverter(Integer.class, OptionRules::integer);
        cl.registerConverter(int.class, OptionRules::integer);
        cl.registerConverter(Boolean.class, OptionRules::bool);
        cl.registerConverter(boolean.class, OptionRules::bool);
        cl.registerConverter(String.class, OptionRules::text);
    }

    private static Integer integer(String raw) {
        try {
            return Integer.valueOf(raw.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not an integer");
        }
    }

    private static Boolean bool(String raw) {
        String v = raw.strip();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.valueOf(v);
        }
        throw new TypeConversionException("not true or false");
    }

    private static String text(String raw) {
        String v = raw.strip();
        if (v.isEmpty()) {
            throw new TypeConversionException("empty");
        }
        return v;
    }

    /** Throws when an option of {@code spec} holds a value outside its {@link Range}. */
    static void checkRanges(CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            Range r = range(o);
            if (r == null || o.getValue() == null) { // an option without a default, not given
                continue;
            }
            long v = ((Number) o.getValue()).longValue();
            if (v < r.min() || v > r.max()) {
                List<String> given = o.originalStringValues();
                String raw = given.isEmpty() ? Long.toString(v) : given.getLast();
                throw new ParameterException(spec.commandLine(), badValue(o, raw), o, raw);
            }
        }
    }

    /** The {@link Range} declared on the option's field, or null. */
    static Range range(OptionSpec o) {
        return o.userObject() instanceof Field f ? f.getAnnotation(Range.class) : null;
    }

    /** What the option takes, as its error messages say it. */
    static String expected(OptionSpec o) {
        Range r = range(o);
        if (r != null) {
            return "an integer from " + r.min() + " to " + r.max();
        }
        Class<?> type = o.type();
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        return type == int.class || type == Integer.class ? "an integer" : "a non-empty value";
    }

    /** The one-line message for {@code e}: the option or scenario it is about, the value, what fits. */
    static String message(ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return unmatched(spec, u.getUnmatched().getFirst());
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().getFirst() instanceof OptionSpec o) {
            return o.longestName() + ": missing value (expected: " + expected(o) + ")";
        }
        if (e instanceof OverwrittenOptionException w && w.getOverwritten() instanceof OptionSpec o) {
            return o.longestName() + ": given twice";
        }
        if (e.getArgSpec() instanceof OptionSpec o && e.getValue() != null) {
            return badValue(o, e.getValue());
        }
        return e.getMessage();
    }

    private static String unmatched(CommandSpec spec, String arg) {
        if (spec.parent() == null) {
            return arg.startsWith("-") ? "unknown option '" + arg + "' before the scenario (expected: a scenario name)"
                    : "unknown scenario '" + arg + "' (expected: " + String.join(", ", spec.subcommands().keySet())
                    + "; ops/bench --list)";
        }
        if (!arg.startsWith("--")) {
            return "unexpected argument '" + arg + "' (expected: --option value)";
        }
        int eq = arg.indexOf('=');
        return "unknown option '" + (eq < 0 ? arg : arg.substring(0, eq)) + "' for scenario " + spec.name()
                + " (expected: " + spec.options().stream().map(OptionSpec::longestName)
                .collect(Collectors.joining(", ")) + ")";
    }

    private static String badValue(OptionSpec o, String raw) {
        return o.longestName() + ": '" + raw + "' (expected: " + expected(o) + ")";
    }
}
