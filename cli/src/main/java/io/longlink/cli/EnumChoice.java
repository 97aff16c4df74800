package io.longlink.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A proto enum argument given by its lower-case name, in any case; the names are also what shell
 * completion offers (use the class as both converter and completionCandidates).
 */
public abstract class EnumChoice<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {
    private final Class<E> type;
    private final String prefix;
    private final List<String> names;

    /** {@code names} in the order the error message lists them; constant = prefix + NAME. */
    protected EnumChoice(Class<E> type, String prefix, String... names) {
        this.type = type;
        this.prefix = prefix;
        this.names = List.of(names);
    }

    @Override
    public final E convert(String value) {
        String name = value.toLowerCase(Locale.ROOT);
        if (!names.contains(name)) {
            throw new TypeConversionException("'" + value + "' (expected: " + String.join(", ", names.subList(0, names.size() - 1))
                    + " or " + names.get(names.size() - 1) + ")");
        }
        return Enum.valueOf(type, prefix + name.toUpperCase(Locale.ROOT));
    }

    @Override
    public final Iterator<String> iterator() {
        return names.iterator();
    }
}
