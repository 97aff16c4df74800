package io.longlink.loadtest.broadcast;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The steps of a run: pushes per second offered in each, rising. Step {@code k} (1-based) marks its
 * pushes' payload with the byte {@code k}, the warm-up with 0, so a device tells them apart.
 */
record Rates(List<Integer> perSecond) {
    static final int MAX_STEPS = 20;
    static final int MAX_RATE = 10_000;

    Rates {
        perSecond = List.copyOf(perSecond);
    }

    int steps() {
        return perSecond.size();
    }

    /** The rate of step {@code k}, 1-based. */
    int rate(int k) {
        return perSecond.get(k - 1);
    }

    int highest() {
        return perSecond.getLast();
    }

    @Override
    public String toString() {
        return String.join(",", perSecond.stream().map(String::valueOf).toList());
    }

    /** {@code --rates 1,2,4,8,16}: 1 to {@value #MAX_STEPS} integers from 1 to {@value #MAX_RATE}, rising. */
    static final class Converter implements ITypeConverter<Rates> {
        @Override
        public Rates convert(String raw) {
            List<Integer> out = new ArrayList<>();
            for (String part : raw.split(",")) {
                int r;
                try {
                    r = Integer.parseInt(part.strip().replace("_", ""));
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + part.strip() + "' is not an integer");
                }
                if (r < 1 || r > MAX_RATE || (!out.isEmpty() && r <= out.getLast())) {
                    throw new TypeConversionException("rising integers from 1 to " + MAX_RATE + " expected");
                }
                out.add(r);
            }
            if (out.size() > MAX_STEPS) {
                throw new TypeConversionException("at most " + MAX_STEPS + " steps");
            }
            return new Rates(out);
        }
    }
}
