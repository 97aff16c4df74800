package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

/** Reads fields of {@code /proc/PID/status}, e.g. {@code VmRSS:   123456 kB}. */
public final class ProcStatus {
    private ProcStatus() {
    }

    /**
     * The value of a {@code kB} field in bytes.
     *
     * @throws IllegalArgumentException when the field is missing or not in kB
     */
    public static long kbField(String status, String field) {
        requireNonNull(status, "status");
        requireNonNull(field, "field");
        String prefix = field + ":";
        for (String line : status.split("\n")) {
            if (line.startsWith(prefix)) {
                String[] parts = line.substring(prefix.length()).strip().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) {
                    return Long.parseLong(parts[0]) * 1024;
                }
                throw new IllegalArgumentException(field + ": '" + line + "' (expected: '<n> kB')");
            }
        }
        throw new IllegalArgumentException(field + ": not in /proc status");
    }
}
