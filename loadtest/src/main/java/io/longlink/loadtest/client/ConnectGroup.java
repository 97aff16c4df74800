package io.longlink.loadtest.client;

import java.net.InetSocketAddress;

/**
 * Devices whose connects were started together: where each gets its CONNECT frame and where it
 * reports how its connect ended. Called on the connection's event loop (or, for {@link #claim},
 * from any thread).
 */
abstract class ConnectGroup {
    /** The next device index of the group to connect, or -1 when all were started. */
    abstract int claim();

    abstract byte[] connectFrame(int index);

    abstract void onConnected(DeviceSession s, long nowNanos);

    abstract void onFailed(String reason);

    /** Where device {@code index} connects; null = the generator's own choice ({@link GeneratorSettings#remoteFor}). */
    InetSocketAddress remote(int index) {
        return null;
    }
}
