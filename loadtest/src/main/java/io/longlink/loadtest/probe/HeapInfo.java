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
}
