package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

/**
 * Reads {@code /proc/PID/smaps}: resident memory of the mappings that lie in an address range, e.g.
 * the Java heap's, so that RSS can be split into heap pages and everything else.
 */
public final class Smaps {
    private Smaps() {
    }

    /**
     * Sum of {@code Rss} of the mappings inside {@code [start, end)}, in bytes.
     *
     * @throws IllegalArgumentException when a mapping straddles a bound (its resident pages could not
     *                                  be split between inside and outside) or no mapping is inside
     */
    public static long residentWithin(String smaps, long start, long end) {
        requireNonNull(smaps, "smaps");
        long total = 0;
        boolean inside = false;
        boolean any = false;
        for (String line : smaps.split("\n")) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && isHex(line, 0, dash) && isHex(line, dash + 1, space)) {
                long from = Long.parseUnsignedLong(line, 0, dash, 16);
                long to = Long.parseUnsignedLong(line, dash + 1, space, 16);
                boolean overlaps = Long.compareUnsigned(from, end) < 0 && Long.compareUnsigned(to, start) > 0;
                inside = Long.compareUnsigned(from, start) >= 0 && Long.compareUnsigned(to, end) <= 0;
                if (overlaps && !inside) {
                    throw new IllegalArgumentException("mapping " + line.substring(0, space) + " straddles ["
                            + Long.toHexString(start) + ", " + Long.toHexString(end) + ")");
                }
                any |= inside;
            } else if (inside && line.startsWith("Rss:")) {
                total += ProcStatus.kbField(line, "Rss");
            }
        }
        if (!any) {
            throw new IllegalArgumentException("no mapping inside [" + Long.toHexString(start) + ", "
                    + Long.toHexString(end) + ")");
        }
        return total;
    }

    private static boolean isHex(String s, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
