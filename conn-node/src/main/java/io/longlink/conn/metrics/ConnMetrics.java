package io.longlink.conn.metrics;

import static io.longlink.common.admin.Metrics.gauge;

import com.google.protobuf.ProtocolMessageEnum;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.Outcome;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;
import java.util.function.DoubleSupplier;

/**
 * The conn-node's metrics on the node registry. Children of labelled counters used on hot paths
 * are resolved once into arrays, so counting a frame is one striped add, no label lookup.
 */
public final class ConnMetrics {
    private final Counter.Child[] framesIn;
    private final Counter.Child[] framesOut;
    private final Counter.Child[] connectFailures;
    private final Counter.Child[] disconnects;
    private final Counter.Child[] deliveries;

    public final Counter.Child connects;
    public final Counter.Child pushesLive;
    public final Counter.Child pushesInbox;
    public final Counter.Child pushesFanOut;
    public final Counter.Child pushesReplay;
    public final Counter.Child ackIds;
    public final Counter.Child ackIdsIgnored;
    public final Counter.Child acked;
    public final Counter.Child inboxDrains;
    public final Counter.Child inboxRedrains;
    public final Counter.Child inboxDrained;
    public final Counter.Child inboxExpired;
    public final Counter.Child inboxRedelivered;
    public final Counter.Child kicksLocal;
    public final Counter.Child kicksSent;
    public final Counter.Child kicksReceived;
    public final Counter.Child kickFailures;
    public final Counter.Child kicksRetried;
    public final Counter.Child kicksGivenUp;
    public final Counter.Child slowReaderCloses;
    public final Counter.Child idleEvictions;
    public final Counter.Child connectTimeouts;
    public final Counter.Child routeRenewals;
    public final Counter.Child routeRecreated;
    public final Counter.Child routeLost;
    public final Counter.Child routeDeletes;
    public final Counter.Child fanOuts;
    public final Counter.Child invalidDeliveries;
    public final Counter.Child receiptsSent;
    public final Counter.Child receiptsDropped;
    public final Counter.Child receiptsFailed;
    public final Counter.Child redirects;
    public final Counter.Child replays;
    public final Counter.Child replayWritten;
    public final Counter.Child replayNotForDevice;
    public final Counter.Child replayGone;
    public final Counter.Child replayUnreadable;
    public final Counter.Child replayOlderThanHint;
    public final Counter.Child logGaps;
    public final Counter.Child fanOutAcks;
    public final Counter.Child tagRefreshes;
    public final Counter.Child tagRefreshesNotHere;
    public final Counter.Child fanOutRepeats;
    public final Counter.Child fanOutSpreadsAtOnce;
    private final Counter.Child[] undelivered;
    private final Counter batchDropped;
    private final Counter batchParked;
    private final Counter redisErrors;
    public final Histogram loopLag;

    public ConnMetrics(CollectorRegistry registry, DoubleSupplier connections, DoubleSupplier sockets) {
        gauge(registry, "longlink_conn_connections", "Authenticated device connections on this node", connections);
        gauge(registry, "longlink_conn_sockets", "Open device sockets, authenticated or not", sockets);
        framesIn = byNumber(labelled(registry, "longlink_conn_frames_in_total", "Frames received from devices by type",
                "type"), FrameType.class);
        framesOut = byNumber(labelled(registry, "longlink_conn_frames_out_total", "Frames sent to devices by type",
                "type"), FrameType.class);
        connectFailures = byNumber(labelled(registry, "longlink_conn_connect_failures_total",
                "Refused CONNECTs by error code", "code"), ErrorCode.class);
        disconnects = byNumber(labelled(registry, "longlink_conn_disconnects_total",
                "Connections closed by the server, by the error code sent", "code"), ErrorCode.class);
        deliveries = byNumber(labelled(registry, "longlink_conn_deliveries_total", "Deliveries from routers by outcome",
                "outcome"), Outcome.class);
        connects = counter(registry, "longlink_conn_connects_total", "Successful CONNECTs");
        Counter pushes = labelled(registry, "longlink_conn_pushes_written_total", "PUSH frames written, by source",
                "source");
        pushesLive = pushes.labels("live");
        pushesInbox = pushes.labels("inbox");
        pushesFanOut = pushes.labels("fanout");
        pushesReplay = pushes.labels("replay");
        ackIds = counter(registry, "longlink_conn_ack_ids_total", "Message ids received in ACK frames");
        ackIdsIgnored = counter(registry, "longlink_conn_ack_ids_ignored_total", "ACK ids beyond the PUSH frames"
                + " written on their connection (minus the ids it acknowledged before): not looked up");
        acked = counter(registry, "longlink_conn_acked_total", "Copies the devices acknowledged, once each: an ACK"
                + " that removed an inbox entry, or one that came within its DeliveryBatch's ack wait");
        inboxDrains = counter(registry, "longlink_conn_inbox_drains_total", "Inbox drains run at CONNECT");
        inboxRedrains = counter(registry, "longlink_conn_inbox_redrains_total",
                "Catch-ups re-run on a live connection: after a REJECTED delivery, a router's re-drain, a route"
                        + " claimed again, a missed broadcast-log copy, or a replay that goes on after its bound");
        inboxDrained = counter(registry, "longlink_conn_inbox_drained_messages_total",
                "Inbox messages written during CONNECT drains and re-drains");
        inboxExpired = counter(registry, "longlink_conn_inbox_expired_total",
                "Inbox entries removed because their body expired or was unreadable");
        inboxRedelivered = counter(registry, "longlink_conn_inbox_redelivered_total",
                "Drained messages the device had already seen (id <= CONNECT.last_message_id)");
        Counter kicks = labelled(registry, "longlink_conn_kicks_total", "Duplicate-login kicks", "kind");
        kicksLocal = kicks.labels("local");
        kicksSent = kicks.labels("remote_sent");
        kicksReceived = kicks.labels("remote_received");
        kickFailures = kicks.labels("remote_failed");
        kicksRetried = kicks.labels("remote_retried");
        kicksGivenUp = kicks.labels("remote_given_up");
        slowReaderCloses = counter(registry, "longlink_conn_slow_reader_closes_total",
                "Connections closed because the device did not read");
        idleEvictions = counter(registry, "longlink_conn_idle_evictions_total",
                "Connections closed for missing heartbeats");
        connectTimeouts = counter(registry, "longlink_conn_connect_timeouts_total",
                "Connections closed for sending no CONNECT in time");
        Counter routes = labelled(registry, "longlink_conn_route_ops_total", "Batched route operations", "op");
        routeRenewals = routes.labels("renew");
        routeRecreated = routes.labels("recreate");
        routeLost = routes.labels("lost");
        routeDeletes = routes.labels("delete");
        fanOuts = counter(registry, "longlink_conn_fanouts_total", "FanOut calls served");
        invalidDeliveries = counter(registry, "longlink_conn_invalid_deliveries_total",
                "Deliveries without app key, device id or push (answered REJECTED)");
        Counter receipts = labelled(registry, "longlink_conn_receipts_total", "Receipts by result", "result");
        receiptsSent = receipts.labels("sent");
        receiptsDropped = receipts.labels("dropped");
        receiptsFailed = receipts.labels("failed");
        redirects = counter(registry, "longlink_conn_redirects_total", "Connections redirected by a drain");
        replays = counter(registry, "longlink_conn_broadcast_replays_total",
                "Catch-ups that read the device's broadcast-log position and replayed the app's log from it");
        Counter entries = labelled(registry, "longlink_conn_broadcast_log_entries_total",
                "Broadcast-log entries looked at during catch-ups, by what became of them", "result");
        replayWritten = entries.labels("written");
        replayNotForDevice = entries.labels("not_for_device");
        replayGone = entries.labels("body_gone");
        replayUnreadable = entries.labels("unreadable");
        replayOlderThanHint = entries.labels("older_than_hint");
        logGaps = counter(registry, "longlink_conn_broadcast_log_gaps_total",
                "Logged tag or broadcast copies a connection could not take (full socket or held queue),"
                        + " replayed from the log once it can");
        fanOutAcks = counter(registry, "longlink_conn_fanout_acks_total",
                "ACKs of tag and broadcast copies (counted on their message once a second)");
        Counter refreshes = labelled(registry, "longlink_conn_tag_refreshes_total", "RefreshTags calls by result",
                "result");
        tagRefreshes = refreshes.labels("refreshed");
        tagRefreshesNotHere = refreshes.labels("not_here");
        fanOutRepeats = counter(registry, "longlink_conn_fanout_repeats_total",
                "FanOut calls for a message this node already fans out or fanned out: answered, not written again");
        fanOutSpreadsAtOnce = counter(registry, "longlink_conn_fanout_spreads_at_once_total",
                "Spread FanOuts written at once because conn.fanout-spreads-max were already spreading");
        Counter notDelivered = labelled(registry, "longlink_conn_undelivered_total",
                "Copies not delivered because the body was gone, by the status counter they went to", "counted");
        undelivered = new Counter.Child[] {notDelivered.labels("no_status"), notDelivered.labels("expired"),
                notDelivered.labels("revoked")};
        batchDropped = labelled(registry, "longlink_conn_redis_batch_dropped_total",
                "Batched Redis operations dropped because the batch queue was full", "op");
        batchParked = labelled(registry, "longlink_conn_redis_batch_parked_total",
                "Batched Redis operations that waited for room in the batch queue (their device's reads paused)", "op");
        redisErrors = labelled(registry, "longlink_conn_redis_errors_total", "Failed Redis operations by operation",
                "op");
        loopLag = Histogram.build("longlink_conn_event_loop_lag_seconds",
                        "Delay between when an event-loop timer tick was due and when it ran")
                .buckets(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5).register(registry);
    }

    public void frameIn(int type) {
        framesIn[type].inc();
    }

    public void frameOut(FrameType type) {
        framesOut[type.getNumber()].inc();
    }

    /** Counts an encoded frame by its first byte. */
    public void frameOut(int type) {
        if (type > 0 && type < framesOut.length && framesOut[type] != null) {
            framesOut[type].inc();
        }
    }

    public void connectFailure(ErrorCode code) {
        connectFailures[code.getNumber()].inc();
    }

    public void disconnect(ErrorCode code) {
        disconnects[code.getNumber()].inc();
    }

    public void delivery(Outcome outcome) {
        deliveries[outcome.getNumber()].inc();
    }

    /** @param counted the count script's answer: 0 no status hash, 1 expired, 2 revoked */
    public void undelivered(Long counted) {
        int i = counted == null ? 0 : (int) Math.max(0, Math.min(2, counted));
        undelivered[i].inc();
    }

    public void batchDropped(String op) {
        batchDropped.labels(op).inc();
    }

    public void batchParked(String op) {
        batchParked.labels(op).inc();
    }

    public void redisError(String op) {
        redisErrors.labels(op).inc();
    }

    /** A counter with one label. */
    private static Counter labelled(CollectorRegistry registry, String name, String help, String label) {
        return Counter.build(name, help).labelNames(label).register(registry);
    }

    /**
     * One child of {@code counter} per constant of a wire enum, at the constant's number, so that hot
     * paths count without a label lookup (protobuf's UNRECOGNIZED has no number and no child).
     */
    private static <E extends Enum<E> & ProtocolMessageEnum> Counter.Child[] byNumber(Counter counter, Class<E> type) {
        E[] values = type.getEnumConstants();
        Counter.Child[] children = new Counter.Child[values.length];
        for (E v : values) {
            if (!v.name().equals("UNRECOGNIZED")) {
                children[v.getNumber()] = counter.labels(v.name());
            }
        }
        return children;
    }

    private static Counter.Child counter(CollectorRegistry registry, String name, String help) {
        Counter c = Counter.build(name, help).register(registry);
        return c.labels();
    }
}
