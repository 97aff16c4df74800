package io.longlink.router.store;

import static java.util.Objects.requireNonNull;

import io.longlink.common.log.LogThrottle;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.redis.RouterLagReport;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this router's lag ({@link RouterLagReport}) to {@link RedisKeys#routerLag} of its command topic every
 * {@code periodMs}, one HSET under its node id, not awaited: a write that fails is logged at most
 * once a second and the next one replaces it (the api-nodes stop trusting a report after a few
 * periods). On close, its field is deleted.
 */
public final class LagReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LagReporter.class);

    private final RedisStore redis;
    private final String key;
    private final String nodeId;
    private final LongSupplier behindMs;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final LogThrottle failures = new LogThrottle();

    public LagReporter(RedisStore redis, String commandTopic, String nodeId, LongSupplier behindMs, LongSupplier clock,
                       long periodMs) {
        this.redis = requireNonNull(redis, "redis");
        this.key = RedisKeys.routerLag(commandTopic);
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.behindMs = requireNonNull(behindMs, "behindMs");
        this.clock = requireNonNull(clock, "clock");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "router-lag");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::report, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    private void report() {
        try {
            byte[] value = new RouterLagReport(behindMs.getAsLong(), clock.getAsLong()).encode();
            redis.async().hset(key, nodeId, value).whenComplete((r, e) -> {
                if (e != null) {
                    failed(e);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(Throwable e) {
        long notLogged = failures.pass();
        if (notLogged >= 0) {
            log.warn("could not report the router's lag to redis key={} error=\"{}\" failures_not_logged={}",
                    key, e, notLogged);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            redis.async().hdel(key, nodeId).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the api-nodes ignore a report that is no longer refreshed
            log.debug("could not delete the router's lag report", e);
        }
    }
}
