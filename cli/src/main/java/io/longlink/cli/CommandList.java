package io.longlink.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The command list of {@code pushctl --help}: each command with its arguments, then what it does. */
final class CommandList implements IHelpSectionRenderer {
    private static final int INDENT = 2;

    @Override
    public String render(Help help) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (Help sub : help.subcommands().values()) {
            CommandSpec spec = sub.commandSpec();
            String[] description = spec.usageMessage().description();
            rows.put(spec.name() + arguments(spec), description.length == 0 ? "" : description[0]);
        }
        if (rows.isEmpty()) {
            return "";
        }
        int left = INDENT + rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        int width = help.commandSpec().usageMessage().width();
        TextTable table = TextTable.forColumns(help.colorScheme(), new Column(left, INDENT, Overflow.SPAN),
                new Column(Math.max(20, width - left), 0, Overflow.WRAP));
        rows.forEach(table::addRowValues);
        return table.toString();
    }

    private static String arguments(CommandSpec spec) {
        StringBuilder sb = new StringBuilder();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
            sb.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        return sb.toString();
    }
}
