package io.longlink.loadtest.scenario;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Finishes the help picocli generates for a scenario: options in the order they are declared, each
 * labelled by its type and followed by what it takes, e.g.
 * {@code --connections=N  devices connected and held idle (1..1000000, default 19000)}.
 */
final class OptionHelp {
    private OptionHelp() {
    }

    static void apply(CommandSpec spec) {
        spec.usageMessage().sortOptions(false).abbreviateSynopsis(true).width(100);
        // picocli's option specs are immutable: each is replaced, in its place, by a copy with the new text
        List<OptionSpec> options = List.copyOf(spec.options());
        options.forEach(spec::remove);
        for (OptionSpec o : options) {
            spec.addOption(o.toBuilder().paramLabel(label(o)).description(describe(o)).build());
        }
    }

    private static String label(OptionSpec o) {
        Class<?> type = o.type();
        if (type == int.class || type == Integer.class) {
            return "N";
        }
        return type == boolean.class || type == Boolean.class ? "true|false" : "TEXT";
    }

    private static String describe(OptionSpec o) {
        String text = String.join(" ", o.description());
        if (o.defaultValue() == null) {
            return text;
        }
        Range r = OptionRules.range(o);
        String values = r != null ? r.min() + ".." + r.max() + ", " : "";
        String quote = o.type() == String.class ? "'" : "";
        // picocli fills in ${DEFAULT-VALUE} when it prints the help (the port base's comes from the environment)
        return text + " (" + values + "default " + quote + "${DEFAULT-VALUE}" + quote + ")";
    }
}
