package io.longlink.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An integer argument checked against its range while the command line is parsed. */
public abstract class IntRange implements ITypeConverter<Integer> {
    private final int min;
    private final int max;

    protected IntRange(int min, int max) {
        this.min = min;
        this.max = max;
    }

    @Override
    public final Integer convert(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' (expected: an integer from " + min + " to " + max + ")");
        }
    }

    /** 0 to {@link Integer#MAX_VALUE}. */
    public static final class NonNegative extends IntRange {
        public NonNegative() {
            super(0, Integer.MAX_VALUE);
        }
    }
}
