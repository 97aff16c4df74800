package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The parsed options of one scenario run: every declared option has a value (given or default).
 * Accepts {@code --name value} and {@code --name=value}.
 */
public final class Options {
    private final Map<String, String> values;
    private final Set<String> given;

    private Options(Map<String, String> values, Set<String> given) {
        this.values = values;
        this.given = given;
    }

    public static Options parse(String scenario, List<OptionSpec> specs, List<String> args) throws UsageException {
        requireNonNull(scenario, "scenario");
        requireNonNull(specs, "specs");
        requireNonNull(args, "args");
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "' (expected: --option value)");
            }
            String name = arg.substring(2);
            String raw = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                raw = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            OptionSpec spec = byName.get(name);
            if (spec == null) {
                throw new UsageException("unknown option '--" + name + "' for scenario " + scenario + " (expected: "
                        + byName.keySet().stream().map(n -> "--" + n).collect(Collectors.joining(", ")) + ")");
            }
            if (raw == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + ": missing value (expected: " + spec.usage() + ")");
                }
                raw = args.get(++i);
            }
            if (values.containsKey(name)) {
                throw new UsageException("--" + name + ": given twice");
            }
            values.put(name, spec.check(raw));
        }
        Set<String> given = Set.copyOf(values.keySet());
        for (OptionSpec s : specs) {
            values.putIfAbsent(s.name(), s.defaultValue());
        }
        return new Options(Map.copyOf(values), given);
    }

    public String text(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("option '" + name + "' is not declared");
        }
        return v;
    }

    public int integer(String name) {
        return Math.toIntExact(Long.parseLong(text(name)));
    }

    public boolean bool(String name) {
        return Boolean.parseBoolean(text(name));
    }

    /** True when the command line set the option (false when it has its default). */
    public boolean given(String name) {
        return given.contains(name);
    }
}
