package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One scenario option, declared once: name (without the leading dashes), default, the values it
 * takes, and a line of help. {@link #check} turns a raw value into its canonical text or says
 * what was expected.
 */
public record OptionSpec(String name, String defaultValue, Kind kind, long min, long max, List<String> choices,
                         String doc) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    public enum Kind { INT, BOOL, CHOICE, TEXT }

    public OptionSpec {
        requireNonNull(name, "name");
        requireNonNull(defaultValue, "defaultValue");
        requireNonNull(kind, "kind");
        requireNonNull(doc, "doc");
        choices = List.copyOf(choices);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: [a-z][a-z0-9-]*)");
        }
    }

    public static OptionSpec integer(String name, long defaultValue, long min, long max, String doc) {
        return new OptionSpec(name, Long.toString(defaultValue), Kind.INT, min, max, List.of(), doc);
    }

    public static OptionSpec bool(String name, boolean defaultValue, String doc) {
        return new OptionSpec(name, Boolean.toString(defaultValue), Kind.BOOL, 0, 0, List.of(), doc);
    }

    public static OptionSpec choice(String name, String defaultValue, List<String> choices, String doc) {
        return new OptionSpec(name, defaultValue, Kind.CHOICE, 0, 0, choices, doc);
    }

    public static OptionSpec text(String name, String defaultValue, String doc) {
        return new OptionSpec(name, defaultValue, Kind.TEXT, 0, 0, List.of(), doc);
    }

    /** The canonical value, or a {@link UsageException} that names the option, the value and what fits. */
    public String check(String raw) throws UsageException {
        requireNonNull(raw, "raw");
        String v = raw.strip();
        switch (kind) {
            case INT -> {
                long n;
                try {
                    n = Long.parseLong(v.replace("_", ""));
                } catch (NumberFormatException e) {
                    throw bad(raw, "an integer from " + min + " to " + max);
                }
                if (n < min || n > max) {
                    throw bad(raw, "an integer from " + min + " to " + max);
                }
                return Long.toString(n);
            }
            case BOOL -> {
                if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                    return v.toLowerCase(java.util.Locale.ROOT);
                }
                throw bad(raw, "true or false");
            }
            case CHOICE -> {
                if (choices.contains(v)) {
                    return v;
                }
                throw bad(raw, "one of " + String.join(", ", choices));
            }
            default -> {
                if (v.isEmpty() && !defaultValue.isEmpty()) {
                    throw bad(raw, "a non-empty value");
                }
                return v;
            }
        }
    }

    /** What {@code --list} and usage errors show, e.g. {@code --connections N (1..1000000, default 19000)}. */
    public String usage() {
        String values = switch (kind) {
            case INT -> "N (" + min + ".." + max + ", default " + defaultValue + ")";
            case BOOL -> "true|false (default " + defaultValue + ")";
            case CHOICE -> String.join("|", choices) + " (default " + defaultValue + ")";
            case TEXT -> "TEXT (default '" + defaultValue + "')";
        };
        return "--" + name + " " + values + "  " + doc;
    }

    private UsageException bad(String raw, String expected) {
        return new UsageException("--" + name + ": '" + raw + "' (expected: " + expected + ")");
    }
}
