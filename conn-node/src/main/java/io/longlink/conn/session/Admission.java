package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.longlink.common.limit.RateBucket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The node's listener limits ({@link ConnectLimits}): sockets that have not completed CONNECT, and
 * CONNECTs per source address and per node as token buckets; the per-address buckets live in a
 * bounded Caffeine map and leave it once idle long enough to be full again. Thread-safe.
 */
final class Admission {
    /** Source addresses tracked at once; an address evicted early only gets a full bucket back. */
    private static final int MAX_ADDRESSES = 65_536;
    /** A bucket holds two seconds' worth of its rate: bursts of twice the rate. */
    private static final long DEPTH_NANOS = TimeUnit.SECONDS.toNanos(2);

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

    Admission(ConnectLimits limits, LongSupplier nanoClock) {
        this.limits = requireNonNull(limits, "limits");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.node = new RateBucket(nanoClock.getAsLong());
        this.addressInterval = interval(limits.connectRatePerAddress());
        this.addresses = Caffeine.newBuilder().maximumSize(MAX_ADDRESSES)
                .expireAfterAccess(Duration.ofNanos(DEPTH_NANOS)).build(); // idle that long: full again
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

    private static long interval(int perSecond) {
        return perSecond <= 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
    }
}
