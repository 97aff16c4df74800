package io.longlink.loadtest.abuse;

import io.netty.util.AttributeKey;
import java.util.concurrent.Future;

/** One attacker socket's state. Touched only on its channel's event loop, so no field needs a lock. */
final class AttackSocket {
    static final AttributeKey<AttackSocket> KEY = AttributeKey.valueOf(AttackSocket.class, "attack");

    final AttackKind kind;
    /** Tells sockets apart: garbage alternates by it, logins use it in the device id. */
    final long sequence;
    /** The CONNECT frame of an attacker that logs in, else null. */
    final byte[] connect;
    /** Why the node is about to close the socket, from its ERROR frame or a refused CONNACK. */
    String reason;
    boolean closingByUs;
    boolean ended;
    Future<?> answerWait;
    Future<?> flood;
    long floodStartNanos;
    long floodUnitsSent;
    long[] ackIds;

    AttackSocket(AttackKind kind, long sequence, byte[] connect) {
        this.kind = kind;
        this.sequence = sequence;
        this.connect = connect;
    }

    void cancelTasks() {
        if (answerWait != null) {
            answerWait.cancel(false);
        }
        if (flood != null) {
            flood.cancel(false);
        }
    }
}
