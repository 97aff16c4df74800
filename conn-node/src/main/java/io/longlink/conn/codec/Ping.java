package io.longlink.conn.codec;

/** The decoded PING frame. It has no body, so one instance serves every connection. */
public final class Ping {
    public static final Ping INSTANCE = new Ping();

    private Ping() {
    }

    @Override
    public String toString() {
        return "PING";
    }
}
