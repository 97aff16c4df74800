package io.longlink.api.quota;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.limit.RateBucket;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Enforces the apps' quotas on this api-node. Each rate quota is a token bucket per app on every
 * api-node, refilled at the quota divided by the live api-nodes, so that the cluster together takes
 * about the quota however the callers' load balancer spreads the calls. A bucket holds one second of
 * its rate (at least one token): what one api-node lets an app take at once.
 *
 * <p>Every push takes a token of {@code pushes_per_s}; a push to tags or broadcast also one of
 * {@code fanouts_per_s}. A refused push gets RESOURCE_EXHAUSTED with the time until its token is
 * there ({@link Refusal#overQuota}); one that names more devices or aliases than
 * {@code devices_per_call} gets RESOURCE_EXHAUSTED without a hint, as waiting will not help.
 */
public final class PushQuotas {
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** An app unseen this long has full buckets again (for any rate of one token per minute or more): drop them. */
    private static final Duration IDLE_BUCKETS = Duration.ofMinutes(10);

    private final Quota defaults;
    private final IntSupplier apiNodes;
    private final LongSupplier nanoClock;
    private final Cache<String, Buckets> buckets;
    private final Counter.Child pushesRefused;
    private final Counter.Child fanoutsRefused;
    private final Counter.Child devicesRefused;

    /**
     * @param defaults  the quotas of an app without its own (api.quota.*), none of them 0
     * @param apiNodes  the live api-nodes sharing each quota (membership); fewer than 1 counts as 1
     * @param maxApps   apps whose buckets are kept at once
     * @param nanoClock {@link System#nanoTime}, or a test's clock
     */
    public PushQuotas(Quota defaults, IntSupplier apiNodes, int maxApps, LongSupplier nanoClock,
                      CollectorRegistry registry) {
        this.defaults = requireNonNull(defaults, "defaults");
        if (!defaults.unset().isEmpty()) {
            throw new IllegalArgumentException("defaults: " + defaults + " (expected: no quota 0)");
        }
        this.apiNodes = requireNonNull(apiNodes, "apiNodes");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.buckets = Caffeine.newBuilder().maximumSize(maxApps).expireAfterAccess(IDLE_BUCKETS)
                .executor(Runnable::run).ticker(nanoClock::getAsLong).build();
        Counter refused = Counter.build("longlink_api_quota_refusals_total",
                "Pushes this api-node refused with RESOURCE_EXHAUSTED because their app was over a quota")
                .labelNames("quota").register(requireNonNull(registry, "registry"));
        pushesRefused = refused.labels(Quota.PUSHES_PER_S);
        fanoutsRefused = refused.labels(Quota.FANOUTS_PER_S);
        devicesRefused = refused.labels(Quota.DEVICES_PER_CALL);
    }

    /** What an app without quotas of its own gets. */
    public Quota defaults() {
        return defaults;
    }

    /** The checks of one call of {@code appKey}, whose own quotas are {@code own}, judged at one instant. */
    public Call call(String appKey, Quota own) {
        long now = nanoClock.getAsLong();
        Buckets b = buckets.get(appKey, k -> new Buckets(new RateBucket(now), new RateBucket(now)));
        return new Call(own.or(defaults), b, Math.max(1, apiNodes.getAsInt()), now);
    }

    private record Buckets(RateBucket pushes, RateBucket fanouts) {
    }

    /**
     * The quota checks of one call. Its pushes are judged at the instant the call began, so the
     * entries of one PushBatch are judged together: those over the rate are the last ones.
     */
    public final class Call {
        private final Quota quota;
        private final Buckets buckets;
        private final int nodes;
        private final long now;

        private Call(Quota quota, Buckets buckets, int nodes, long now) {
            this.quota = quota;
            this.buckets = buckets;
            this.nodes = nodes;
            this.now = now;
        }

        /** Refuses a push whose audience {@code field} names {@code names} devices or aliases, over devices_per_call. */
        public void checkAudience(String field, int names) {
            if (names > quota.devicesPerCall()) {
                devicesRefused.inc();
                throw Refusal.exhausted(field + ": " + names + " names (expected: at most " + quota.devicesPerCall()
                        + ", this app's quota " + Quota.DEVICES_PER_CALL + "; split the push)");
            }
        }

        /** Takes the tokens of one push, a fan-out (tags or broadcast) or not, or refuses it with the retry hint. */
        public void take(boolean fanOut) {
            long fanOutInterval = interval(quota.fanoutsPerS());
            if (fanOut) {
                long wait = buckets.fanouts.take(now, fanOutInterval, depth(fanOutInterval));
                if (wait > 0) {
                    fanoutsRefused.inc();
                    throw over(Quota.FANOUTS_PER_S, quota.fanoutsPerS(), "tag or broadcast pushes", wait);
                }
            }
            long interval = interval(quota.pushesPerS());
            long wait = buckets.pushes.take(now, interval, depth(interval));
            if (wait > 0) {
                if (fanOut) {
                    buckets.fanouts.putBack(fanOutInterval);
                }
                pushesRefused.inc();
                throw over(Quota.PUSHES_PER_S, quota.pushesPerS(), "pushes", wait);
            }
        }

        /** The time one token takes to come back on this node: its share of the cluster's rate. */
        private long interval(int perSecond) {
            return nodes * SECOND_NANOS / perSecond;
        }

        private static long depth(long interval) {
            return Math.max(interval, SECOND_NANOS);
        }

        private Refusal over(String name, int perSecond, String what, long waitNanos) {
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1));
            return Refusal.overQuota("quota " + name + ": this app's " + perSecond + " " + what
                    + " per second are used up (expected: a retry after " + ms + " ms)", ms);
        }
    }
}
