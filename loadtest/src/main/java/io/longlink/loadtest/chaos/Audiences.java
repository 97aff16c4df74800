package io.longlink.loadtest.chaos;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Who a push reaches, fixed at set-up and static during the run: device {@code i} is
 * {@code deviceId(i)}, holds tag {@code t<i % tags>}, and the first {@code aliases * aliasSize}
 * devices share aliases {@code a<k>}, {@code aliasSize} devices each.
 */
final class Audiences {
    private final int devices;
    private final int[][] byTag;
    private final int[][] byAlias;
    private final int[] all;

    Audiences(int devices, int tags, int aliases, int aliasSize) {
        if (devices < 1 || tags < 1 || aliases < 0 || aliasSize < 1 || aliases * aliasSize > devices) {
            throw new IllegalArgumentException("devices: " + devices + ", tags: " + tags + ", aliases: " + aliases
                    + " x " + aliasSize + " (expected: aliases x size <= devices)");
        }
        this.devices = devices;
        this.all = IntStream.range(0, devices).toArray();
        this.byTag = new int[tags][];
        for (int t = 0; t < tags; t++) {
            int tag = t;
            byTag[t] = IntStream.range(0, devices).filter(i -> i % tags == tag).toArray();
        }
        this.byAlias = new int[aliases][];
        for (int a = 0; a < aliases; a++) {
            byAlias[a] = IntStream.range(a * aliasSize, (a + 1) * aliasSize).toArray();
        }
    }

    int devices() {
        return devices;
    }

    int tags() {
        return byTag.length;
    }

    int aliases() {
        return byAlias.length;
    }

    static String deviceId(int i) {
        return String.format("cd%05d", i);
    }

    static String tag(int t) {
        return "t" + t;
    }

    static String alias(int a) {
        return "a" + a;
    }

    String tagOf(int device) {
        return tag(device % byTag.length);
    }

    /** The alias of {@code device}, or null when it has none. */
    String aliasOf(int device) {
        int size = byAlias.length == 0 ? 1 : byAlias[0].length;
        int a = device / size;
        return a < byAlias.length ? alias(a) : null;
    }

    int[] tagged(int t) {
        return byTag[t];
    }

    int[] aliased(int a) {
        return byAlias[a];
    }

    int[] all() {
        return all;
    }

    /** The devices a caller owns when {@code callers} share all devices: every callers-th from {@code caller}. */
    int[] share(int caller, int callers) {
        return Arrays.stream(all).filter(i -> i % callers == caller).toArray();
    }
}
