package io.longlink.conn.it;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.token.DeviceToken;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.TagFilter;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Direct Redis access for arranging and checking what the node stores (standalone or cluster). */
public final class TestRedis implements AutoCloseable {
    private final RedisStore store;
    private final RedisClusterAsyncCommands<String, byte[]> r;

    public TestRedis(String uris, boolean cluster) {
        this.store = RedisStore.open(uris, cluster, 5_000);
        this.r = store.async();
    }

    public static <T> T await(CompletionStage<T> f) {
        try {
            return f.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers a new app with a random key and secret; returns the key. */
    public App newApp() {
        String key = "app-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = "secret-" + UUID.randomUUID();
        await(r.hset(RedisKeys.app(key), RedisKeys.APP_SECRET, secret.getBytes(StandardCharsets.UTF_8)));
        return new App(key, secret);
    }

    /** Stores a new secret for the app, as RotateSecret does before it writes the rotation; returns the app with it. */
    public App newSecret(App app) {
        String secret = "secret-" + UUID.randomUUID();
        await(r.hset(RedisKeys.app(app.key()), RedisKeys.APP_SECRET, secret.getBytes(StandardCharsets.UTF_8)));
        return new App(app.key(), secret);
    }

    public record App(String key, String secret) {
        public String token(String deviceId) {
            return DeviceToken.mint(secret, key, deviceId, System.currentTimeMillis() / 1000 + 3600);
        }

        /** A CONNECT of this app's {@code deviceId} with a valid token. */
        public Connect connectFrame(String deviceId, int heartbeatSeconds) {
            return TestDevice.connectFrame(key, deviceId, token(deviceId), heartbeatSeconds);
        }
    }

    public void storeMessage(Push push, long ttlMs) {
        await(r.set(RedisKeys.message(push.getMessageId()), push.toByteArray(), SetArgs.Builder.px(ttlMs)));
    }

    /**
     * What the router's inbox script does for a new copy: the device's next inbox position
     * ({@code INCR ll:iseq}), then the member at that score. Returns the position.
     */
    public long addToInbox(String app, String device, long id) {
        long position = await(r.incr(RedisKeys.inboxSeq(app, device)));
        addToInboxAt(app, device, id, position);
        return position;
    }

    /** An inbox member at a given score (a legacy entry has score 0). */
    public void addToInboxAt(String app, String device, long id, long position) {
        await(r.zadd(RedisKeys.inbox(app, device), position,
                RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII)));
    }

    /** What a router writes for an offline device: the body first, then the inbox member. */
    public void storeInInbox(String app, String device, Push push, long ttlMs) {
        storeMessage(push, ttlMs);
        addToInbox(app, device, push.getMessageId());
    }

    public List<String> inbox(String app, String device) {
        return await(r.zrange(RedisKeys.inbox(app, device), 0, -1)).stream()
                .map(b -> new String(b, StandardCharsets.US_ASCII)).toList();
    }

    public String route(String app, String device) {
        byte[] v = await(r.get(RedisKeys.route(app, device)));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    public long routeTtlMs(String app, String device) {
        return await(r.pttl(RedisKeys.route(app, device)));
    }

    public void setRoute(String app, String device, String value, long ttlMs) {
        await(r.set(RedisKeys.route(app, device), value.getBytes(StandardCharsets.UTF_8), SetArgs.Builder.px(ttlMs)));
    }

    public String stat(long id, String field) {
        byte[] v = await(r.hget(RedisKeys.stat(id), field));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    public void addTags(String app, String device, String... tags) {
        byte[][] members = new byte[tags.length][];
        for (int i = 0; i < tags.length; i++) {
            members[i] = tags[i].getBytes(StandardCharsets.UTF_8);
        }
        await(r.sadd(RedisKeys.tags(app, device), members));
    }

    /**
     * What a router writes for a tag or broadcast push with a TTL: the body once, then the app's
     * broadcast-log entry with its filter (null = every device). Returns the entry's log position.
     */
    public long logBroadcast(String app, Push push, TagFilter filter, long ttlMs) {
        storeMessage(push, ttlMs);
        return logEntry(app, push.getMessageId(), filter == null ? new byte[0] : filter.toByteArray());
    }

    /**
     * A broadcast-log entry alone (its body may be gone, expired or revoked), at the app's next log
     * position ({@code INCR ll:bseq}), as the router's append does. Returns the position.
     */
    public long logEntry(String app, long id, byte[] filter) {
        long position = await(r.incr(RedisKeys.broadcastSeq(app)));
        byte[] member = RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII);
        await(r.zadd(RedisKeys.broadcastLog(app), position, member));
        await(r.hset(RedisKeys.broadcastFilter(app), Map.of(RedisKeys.inboxMember(id), filter)));
        return position;
    }

    /** The device's broadcast-log position (ll:seen), or null. */
    public String seen(String app, String device) {
        byte[] v = await(r.get(RedisKeys.seen(app, device)));
        return v == null ? null : new String(v, StandardCharsets.US_ASCII);
    }

    /** Sets the device's broadcast-log position, as a conn-node does once the device has caught up. */
    public void setSeen(String app, String device, long position) {
        await(r.set(RedisKeys.seen(app, device), Long.toString(position).getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * A status hash as the api-node starts it (owner field); when revoked, what Revoke leaves:
     * {@code revoked_ms} and the tombstone (an empty value) in place of the body.
     */
    public void createStat(long id, String app, boolean revoked) {
        await(r.hset(RedisKeys.stat(id), RedisKeys.STAT_APP, app.getBytes(StandardCharsets.UTF_8)));
        if (revoked) {
            await(r.hset(RedisKeys.stat(id), RedisKeys.STAT_REVOKED_MS,
                    Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII)));
            await(r.set(RedisKeys.message(id), new byte[0]));
        }
    }

    public boolean exists(String key) {
        return await(r.exists(key)) == 1L;
    }

    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return r;
    }

    @Override
    public void close() {
        store.close();
    }
}
