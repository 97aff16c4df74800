package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.longlink.common.limit.RateBucket;
import io.longlink.proto.device.ErrorCode;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The node's listener limits ({@link ConnectLimits}): sockets that have not completed CONNECT, and
 * CONNECTs per source address and per node as token buckets; the per-address buckets live in a
 * bounded Caffeine map and leave it once idle long enough to be full again. An address whose
 * connection broke the protocol owes its bucket {@code abusePenaltyMs}: a client that floods, is
 * closed and reconnects at once is refused at CONNECT, before any Redis work. Thread-safe.
 */
final class Admission {
    /** Source addresses tracked at once; an address evicted early only gets a full bucket back. */
    private static final int MAX_ADDRESSES = 65_536;
    /** A bucket holds two seconds' worth of its rate: bursts of twice the rate. */
    private static final long DEPTH_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The most an address owes for its violations. */
    private static final long MAX_OWED_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Why a CONNECT is not admitted. */
    enum Refusal {
        NONE, ADDRESS_RATE, NODE_RATE, NODE_FULL
    }

    private final ConnectLimits limits;
    private final LongSupplier nanoClock;
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final RateBucket node;
    private final Cache<InetAddress, RateBucket> addresses;
    private final long addressInterval;
    private final long penaltyNanos;

    Admission(ConnectLimits limits, LongSupplier nanoClock) {
        this.limits = requireNonNull(limits, "limits");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.node = new RateBucket(nanoClock.getAsLong());
        this.addressInterval = interval(limits.connectRatePerAddress());
        this.penaltyNanos = TimeUnit.MILLISECONDS.toNanos(limits.abusePenaltyMs());
        this.addresses = Caffeine.newBuilder().maximumSize(MAX_ADDRESSES)
                // kept until full again, so what an address owes is not forgotten while it is idle
                .expireAfter(Expiry.accessing((InetAddress a, RateBucket b) -> Duration.ofNanos(keep(b)))).build();
    }

    private long keep(RateBucket b) {
        return DEPTH_NANOS + b.untilFull(nanoClock.getAsLong());
    }

    /** A socket opened; false (and not counted) when the node already has its most unauthenticated sockets. */
    boolean opened() {
        while (true) {
            int n = unauthenticated.get();
            if (n >= limits.maxUnauthenticated()) {
                return false;
            }
            if (unauthenticated.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A counted socket completed authentication or closed before it did. */
    void leftUnauthenticated() {
        unauthenticated.decrementAndGet();
    }

    int unauthenticated() {
        return unauthenticated.get();
    }

    /** A CONNECT from {@code address} while the node holds {@code connections} authenticated ones. */
    Refusal connect(InetAddress address, int connections) {
        long now = nanoClock.getAsLong();
        if (address != null && addressInterval > 0
                && addresses.get(address, a -> new RateBucket(now)).take(now, addressInterval, DEPTH_NANOS) > 0) {
            return Refusal.ADDRESS_RATE;
        }
        if (limits.connectRate() > 0 && node.take(now, interval(limits.connectRate()), DEPTH_NANOS) > 0) {
            return Refusal.NODE_RATE;
        }
        return connections >= limits.maxConnections() ? Refusal.NODE_FULL : Refusal.NONE;
    }

    /** The source address of a device channel, null when it has none (an embedded test channel). */
    static InetAddress source(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    /** Whether the node closes a connection with {@code code} for breaking the protocol. */
    static boolean isViolation(ErrorCode code) {
        return code == ErrorCode.MALFORMED_FRAME || code == ErrorCode.FRAME_TOO_LARGE || code == ErrorCode.RATE_LIMITED;
    }

    /** The connection {@code ch} broke the protocol: its source address owes the penalty. */
    void violated(Channel ch) {
        InetAddress address = source(ch);
        if (address == null || addressInterval == 0 || penaltyNanos == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        addresses.asMap().compute(address, (a, b) -> {
            RateBucket bucket = b == null ? new RateBucket(now) : b;
            bucket.owe(now, penaltyNanos, MAX_OWED_NANOS);
            return bucket;
        });
    }

    private static long interval(int perSecond) {
        return perSecond <= 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
    }
}
