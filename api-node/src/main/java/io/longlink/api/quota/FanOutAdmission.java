package io.longlink.api.quota;

import static java.util.Objects.requireNonNull;

import io.longlink.common.admin.Metrics;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.log.LogThrottle;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.redis.RouterLagReport;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission for fan-out work (tag and broadcast pushes) by how far behind the routers are. Every
 * router writes its lag to {@link RedisKeys#routerLag} of its command topic a few times a second
 * ({@link RouterLagReport}); this node reads them every {@code periodMs} and admits a share of the
 * fan-outs that falls while the worst fresh one is over half of {@code api.fanout-max-lag-ms} and
 * rises again while it is not (none past the bound); the others get RESOURCE_EXHAUSTED and a retry
 * hint before anything is produced. One fan-out
 * is thousands to millions of deliveries: past the cluster's capacity the backlog would wait in
 * Kafka and the routers, and accepted broadcasts would arrive minutes late; refusing the new ones
 * lets the backlog drain and keeps what was accepted within about the bound. Unicasts are not
 * refused here (their cost is one delivery each; quotas and {@code api.max-inflight-pushes} bound
 * them).
 *
 * <p>A report older than {@link #STALE_MS} is ignored (a stopped or partitioned router, whose
 * partitions go to the others); while Redis cannot be read the last worst value is kept for as long,
 * then counts as 0: this is a brake, not a correctness check, and a node that cannot reach Redis
 * refuses pushes anyway. Reports older than {@link #FORGET_MS} are deleted when seen.
 */
public final class FanOutAdmission implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FanOutAdmission.class);
    /** A router reports every 250 ms: a report this old comes from one that stopped or cannot write. */
    static final long STALE_MS = 3_000;
    /** Reports of routers gone this long are removed from the hash. */
    static final long FORGET_MS = TimeUnit.HOURS.toMillis(1);
    /** The least a refused caller is told to wait. */
    static final long MIN_RETRY_MS = 250;
    /** How much of the admitted share comes back per read while the lag is within half the bound. */
    static final double SHARE_RISE = 0.05;
    /** The largest part of the admitted share taken per read, at the bound; less in proportion below it. */
    static final double SHARE_FALL = 0.1;

    private final RedisStore redis;
    private final String key;
    private final long maxLagMs;
    private final LongSupplier clock;
    private final Counter refused;
    private final LogThrottle readFailures = new LogThrottle();
    private final ScheduledExecutorService timer;
    /** The worst fresh router lag read last, and when it was read (this node's clock). */
    private volatile long worstLagMs;
    private volatile long readAtMs;
    /** The share of fan-outs admitted, moved by every read (one writer: the read timer). */
    private volatile double admittedShare = 1;

    /**
     * @param maxLagMs api.fanout-max-lag-ms; 0 = no admission (nothing is read)
     * @param clock    epoch milliseconds, compared with the routers' report times
     */
    public FanOutAdmission(RedisStore redis, String commandTopic, long maxLagMs, LongSupplier clock, long periodMs,
                           CollectorRegistry registry) {
        this.redis = requireNonNull(redis, "redis");
        this.key = RedisKeys.routerLag(commandTopic);
        this.maxLagMs = maxLagMs;
        this.clock = requireNonNull(clock, "clock");
        this.refused = Counter.build("longlink_api_fanout_lag_refusals_total", "Tag and broadcast pushes this"
                + " api-node refused with RESOURCE_EXHAUSTED because the routers were behind (api.fanout-max-lag-ms)")
                .register(requireNonNull(registry, "registry"));
        Metrics.gauge(registry, "longlink_api_router_lag_ms", "The worst lag of the routers this api-node read"
                + " last (ll:lag:{command topic}, reports of the last 3 s), compared with api.fanout-max-lag-ms",
                this::lagMs);
        Metrics.gauge(registry, "longlink_api_fanout_admitted_share", "The share of tag and broadcast pushes this"
                + " api-node admits (1 = all), lowered while the routers are over half of api.fanout-max-lag-ms behind",
                this::share);
        if (maxLagMs <= 0) {
            timer = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "api-router-lag");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::read, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Refuses a tag or broadcast push by the routers' lag: none is admitted at or past the bound, and
     * below it a share that each read of the lag moves ({@link #nextShare}). A share that falls while
     * the routers are over half the bound behind and rises while they are not settles where they keep
     * up at about half the bound, however far the offered fan-outs are past capacity; a share that
     * only followed the lag (the first design) had to let the lag grow with the offered rate to
     * refuse more, and an on/off switch admitted bursts each time it opened.
     */
    public void check() {
        long lag = lagMs();
        double share = share();
        if (maxLagMs > 0 && !admitted(lag, maxLagMs, share, ThreadLocalRandom.current().nextDouble())) {
            refused.inc();
            long retry = retryMs(lag, maxLagMs);
            long admittedPercent = lag >= maxLagMs ? 0 : Math.round(share * 100);
            throw Refusal.overQuota("api.fanout-max-lag-ms: the routers are " + lag + " ms behind (limit " + maxLagMs
                    + " ms), so this api-node admits " + admittedPercent + "% of tag and broadcast pushes until"
                    + " they keep within " + maxLagMs / 2 + " ms; nothing of this push was accepted (expected: a"
                    + " retry after " + retry + " ms)", retry);
        }
    }

    /** Whether a fan-out is admitted at {@code lagMs} behind with {@code share} admitted, {@code draw} uniform in [0, 1). */
    static boolean admitted(long lagMs, long maxLagMs, double share, double draw) {
        return lagMs < maxLagMs && draw < share;
    }

    /**
     * The admitted share after a read of {@code lagMs}: {@link #SHARE_RISE} more (at most 1) within
     * half the bound, else less by up to {@link #SHARE_FALL} of itself, in proportion to how far the
     * lag is between half the bound and the bound.
     */
    static double nextShare(double share, long lagMs, long maxLagMs) {
        long half = maxLagMs / 2;
        if (lagMs <= half) {
            return Math.min(1, share + SHARE_RISE);
        }
        double over = Math.min(1, (double) (lagMs - half) / (maxLagMs - half));
        return share * (1 - SHARE_FALL * over);
    }

    /** The share admitted now: 1 while the last read is older than {@link #STALE_MS} (the brake fails open). */
    double share() {
        return clock.getAsLong() - readAtMs > STALE_MS ? 1 : admittedShare;
    }

    /** The worst fresh router lag as last read; 0 once the last read is older than {@link #STALE_MS}. */
    long lagMs() {
        return clock.getAsLong() - readAtMs > STALE_MS ? 0 : worstLagMs;
    }

    /** How long a refused caller should wait: about the time the backlog over half the bound takes to drain. */
    static long retryMs(long lagMs, long maxLagMs) {
        return Math.max(MIN_RETRY_MS, lagMs - maxLagMs / 2);
    }

    /**
     * The worst lag among {@code reports} made at most {@link #STALE_MS} before {@code now}; the fields
     * of reports older than {@link #FORGET_MS} (or unreadable) are added to {@code forget}.
     */
    static long worst(Map<String, byte[]> reports, long now, List<String> forget) {
        long worst = 0;
        for (Map.Entry<String, byte[]> e : reports.entrySet()) {
            RouterLagReport r = RouterLagReport.parse(e.getValue());
            if (r == null || now - r.atMs() > FORGET_MS) {
                forget.add(e.getKey());
            } else if (now - r.atMs() <= STALE_MS) {
                worst = Math.max(worst, r.behindMs());
            }
        }
        return worst;
    }

    private void read() {
        try {
            Map<String, byte[]> reports = redis.async().hgetall(key).get(STALE_MS, TimeUnit.MILLISECONDS);
            long now = clock.getAsLong();
            List<String> forget = new ArrayList<>();
            long worst = worst(reports, now, forget);
            worstLagMs = worst;
            admittedShare = nextShare(share(), worst, maxLagMs);
            readAtMs = now;
            if (!forget.isEmpty()) {
                redis.async().hdel(key, forget.toArray(String[]::new));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            long notLogged = readFailures.pass();
            if (notLogged >= 0) {
                log.warn("could not read the routers' lag from redis key={} error=\"{}\" failures_not_logged={}",
                        key, e, notLogged);
            }
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
