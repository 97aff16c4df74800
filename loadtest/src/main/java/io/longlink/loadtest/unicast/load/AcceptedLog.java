package io.longlink.loadtest.unicast.load;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.unicast.tally.LongList;
import io.longlink.loadtest.unicast.tally.PushPhase;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every message id the API answered, and the calls that failed by status, as the load generator
 * saw them. Written once at the end as a file of big-endian longs (the devices' side compares
 * it with what they received) and a summary; bounded by the planned number of pushes.
 */
public final class AcceptedLog {
    // guarded by this: gRPC answers arrive on several threads
    private final LongList ids;
    private long acceptedWarmup;
    private long acceptedMeasured;
    private final Map<String, Long> failures = new TreeMap<>();
    private long failedMeasured;

    public AcceptedLog(long capacity) {
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, capacity));
        this.ids = new LongList(Math.min(cap, 65_536), cap);
    }

    public synchronized void accepted(long messageId, int phase) {
        ids.add(messageId);
        if (phase == PushPhase.MEASURED) {
            acceptedMeasured++;
        } else {
            acceptedWarmup++;
        }
    }

    /** A push of {@code phase} ({@link PushPhase}) that got no id, by status code. */
    public synchronized void failed(String code, int phase) {
        requireNonNull(code, "code");
        failures.merge(code, 1L, Long::sum);
        if (phase == PushPhase.MEASURED) {
            failedMeasured++;
        }
    }

    /** Of {@link #failedTotal}, the pushes sent in the measured phase. */
    public synchronized long failedMeasured() {
        return failedMeasured;
    }

    public synchronized long accepted() {
        return ids.size();
    }

    public synchronized long acceptedMeasured() {
        return acceptedMeasured;
    }

    public synchronized long acceptedWarmup() {
        return acceptedWarmup;
    }

    /** Answers that could not be kept because the log was full (a run longer than planned). */
    public synchronized long overflow() {
        return ids.refused();
    }

    public synchronized Map<String, Long> failures() {
        return new TreeMap<>(failures);
    }

    public synchronized long failedTotal() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized void writeIds(Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
            for (int i = 0; i < ids.size(); i++) {
                out.writeLong(ids.get(i));
            }
        }
    }

    /** The ids of a file written by {@link #writeIds}, in their order. */
    public static long[] readIds(Path file) throws IOException {
        long size = Files.size(file);
        if (size % Long.BYTES != 0) {
            throw new IOException(file + ": " + size + " bytes, not a whole number of ids (8 bytes each)");
        }
        long[] out = new long[Math.toIntExact(size / Long.BYTES)];
        try (InputStream is = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
            for (int i = 0; i < out.length; i++) {
                out[i] = in.readLong();
            }
        } catch (EOFException e) {
            throw new IOException(file + ": shorter than its size said", e);
        }
        return out;
    }
}
