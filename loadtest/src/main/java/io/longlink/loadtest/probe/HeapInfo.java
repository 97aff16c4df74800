package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the used Java heap from {@code jcmd PID GC.heap_info}. Every collector prints one line per
 * heap space with "total" and then "used NNNK" ({@code def new generation   total 314560K, used
 * 11200K}, JDK 25 G1: {@code garbage-first heap   total reserved 6172672K, committed 69632K, used
 * 24992K}); metaspace lines carry no "total" and are not heap, so they do not match.
 */
public final class HeapInfo {
    private static final Pattern SPACE = Pattern.compile("(?m)^\\s*(\\S.*?)\\s+total\\b[^\\n]*?\\bused (\\d+)K");
    /** The address range at the end of a space line: {@code [0x...start, ..., 0x...end)}. */
    private static final Pattern RANGE = Pattern.compile(
            "(?m)^\\s*\\S.*?\\s+total\\b[^\\n]*?\\[0x([0-9a-fA-F]+),(?:[^\\n]*?,)?\\s*0x([0-9a-fA-F]+)\\)");

    private HeapInfo() {
    }

    /**
     * @throws IllegalArgumentException when the text holds no heap line (e.g. jcmd failed to attach)
     */
    public static long usedBytes(String heapInfo) {
        requireNonNull(heapInfo, "heapInfo");
        Matcher m = SPACE.matcher(heapInfo);
        long usedKb = 0;
        boolean any = false;
        while (m.find()) {
            usedKb += Long.parseLong(m.group(2));
            any = true;
        }
        if (!any) {
            throw new IllegalArgumentException("GC.heap_info: no '<space> total ... used NK' line in: "
                    + heapInfo.strip().lines().limit(3).toList());
        }
        return usedKb * 1024;
    }

    /** Where the heap lies in the address space, from its first space's start to its last space's end. */
    public record Range(long start, long end) {
        public Range {
            if (Long.compareUnsigned(start, end) >= 0) {
                throw new IllegalArgumentException("heap range [" + Long.toHexString(start) + ", "
                        + Long.toHexString(end) + "): start not below end");
            }
        }
    }

    /**
     * The heap's reserved address range: the lowest start and the highest end over the space lines
     * ({@code DefNew total ... [0x...f0000000, 0x...f5550000, 0x...f5550000)}, {@code Tenured ...},
     * or G1's one {@code garbage-first heap ... [0x..., 0x...)}).
     *
     * @throws IllegalArgumentException when no space line carries a range
     */
    public static Range range(String heapInfo) {
        requireNonNull(heapInfo, "heapInfo");
        Matcher m = RANGE.matcher(heapInfo);
        long start = -1;
        long end = 0;
        while (m.find()) {
            long s = Long.parseUnsignedLong(m.group(1), 16);
            long e = Long.parseUnsignedLong(m.group(2), 16);
            start = start == -1 ? s : Math.min(start, s);
            end = Math.max(end, e);
        }
        if (start == -1) {
            throw new IllegalArgumentException("GC.heap_info: no '<space> total ... [0x<start>, ..., 0x<end>)' line in: "
                    + heapInfo.strip().lines().limit(3).toList());
        }
        return new Range(start, end);
    }
}
