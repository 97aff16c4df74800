package io.longlink.api.id;

/**
 * The message-id worker id an api-node holds, and the timestamps it may give ids.
 *
 * @param id      the worker id, 0 to {@link MessageIds#MAX_WORKER}
 * @param floorMs ids get timestamps from here on, whatever this node's clock says: one past the
 *                reservation of the previous holder of this worker id, so past every id it issued
 * @param untilMs ids get timestamps below this: the reservation written in ZooKeeper, where the
 *                next holder of this worker id starts
 */
public record WorkerSlot(int id, long floorMs, long untilMs) {
}
