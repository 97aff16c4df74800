package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.common.grpc.Refusal;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.tag.Tags;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's tags in the {@link SessionIndex}, where FanOut and the broadcast-log replay match
 * them: read from the tag store at CONNECT (the replay waits for them) and again when the api-node
 * asks for a refresh after changing them. At most conn.max-tags-per-device; none when that is 0.
 */
public final class SessionTags {
    private static final Logger log = LoggerFactory.getLogger(SessionTags.class);

    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final SessionIndex index;
    private final Tags tags;
    private final CatchUp catchUp;
    private final ConnectRefusals refusals;

    SessionTags(SessionSettings settings, ConnMetrics metrics, SessionIndex index, Tags tags, CatchUp catchUp,
                ConnectRefusals refusals) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.index = requireNonNull(index, "index");
        this.tags = requireNonNull(tags, "tags");
        this.catchUp = requireNonNull(catchUp, "catchUp");
        this.refusals = requireNonNull(refusals, "refusals");
    }

    /** At CONNECT, once the session is registered. */
    void load(Session s) {
        if (settings.maxTags() == 0) {
            return;
        }
        tags.read(s.appKey, s.deviceId).whenComplete((names, err) -> s.onLoop(() -> {
            if (!s.acceptsDeliveries() || s.isClosingOrClosed()) {
                return;
            }
            if (err != null) {
                // without its tags the device would miss tag pushes, live and replayed: let it retry
                refusals.storeFailed(s, "tags", err);
                return;
            }
            replace(s, names);
            catchUp.tagsLoaded(s);
        }));
    }

    /**
     * Reloads the device's tags into the index (RefreshTags, after AddTags/RemoveTags). Any thread.
     * Completes with the number of tags indexed, or -1 when the session is gone; fails with a
     * {@link Refusal} (UNAVAILABLE) when the tag store does not answer.
     */
    public CompletionStage<Integer> refresh(Session s) {
        if (settings.maxTags() == 0) {
            return CompletableFuture.completedFuture(0);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        tags.read(s.appKey, s.deviceId).whenComplete((names, err) -> {
            if (err != null) {
                metrics.redisError("tags");
                done.completeExceptionally(Refusal.unavailable("tag store unavailable: " + err.getMessage()));
                return;
            }
            try {
                s.onLoop(() -> done.complete(!s.acceptsDeliveries() || s.isClosingOrClosed() ? -1
                        : replace(s, names)));
            } catch (RejectedExecutionException stopping) {
                done.complete(-1);
            }
        });
        return done;
    }

    /** Puts {@code names} into the index in place of the session's tags. Event loop only. */
    private int replace(Session s, List<String> names) {
        if (names.size() > settings.maxTags()) {
            log.warn("device has more tags than conn.max-tags-per-device; extra tags ignored app={} device={}"
                    + " tags={}", s.appKey, s.deviceId, names.size());
        }
        return index.replaceTags(s, names, settings.maxTags());
    }
}
