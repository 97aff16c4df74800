package io.longlink.router.batch;

import io.longlink.router.receipt.Receipts;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Receipts as {@code device@atMs} lines, by kind. */
final class RecordingReceipts implements Receipts {
    final List<String> stored = new CopyOnWriteArrayList<>();
    final List<String> dropped = new CopyOnWriteArrayList<>();

    @Override
    public void stored(String appKey, String deviceId, long messageId, long atMs) {
        stored.add(deviceId + "@" + atMs);
    }

    @Override
    public void dropped(String appKey, String deviceId, long messageId, long atMs) {
        dropped.add(deviceId + "@" + atMs);
    }
}
