package io.longlink.loadtest.abuse;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The socket attackers, each from its own loopback source address 127.0.1.N, apart from the healthy
 * devices' 127.0.0.N: a per-address limit that hits one attacker never hits another or a device.
 */
enum AttackKind {
    /** CONNECT with a valid token, closed by the attacker once answered: connects at a rate from one address. */
    CONNECT_FLOOD("flood", 1, false),
    /** Connects and never sends a byte. */
    SILENT("silent", 2, true),
    /** Logs in, then sends PINGs and never reads the PONGs. */
    PING_FLOOD("ping", 3, true),
    /** Logs in, then ACKs message ids the node never sent. */
    ACK_FLOOD("ack", 4, true),
    /** An oversize frame header or random bytes on a fresh socket. */
    GARBAGE("garbage", 5, false);

    private final String key;
    private final InetAddress source;
    private final boolean held;

    AttackKind(String key, int lastOctet, boolean held) {
        this.key = key;
        this.held = held;
        try {
            this.source = InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) lastOctet});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The name in RESULT keys. */
    String key() {
        return key;
    }

    InetAddress source() {
        return source;
    }

    /** Held attackers keep their number: a socket the node closes is opened again a second later. */
    boolean held() {
        return held;
    }

    /** Logs in before it attacks. */
    boolean logsIn() {
        return this == CONNECT_FLOOD || this == PING_FLOOD || this == ACK_FLOOD;
    }
}
