package io.longlink.api.device;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.redis.Route;
import io.longlink.proto.device.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the api-node keeps about an app's devices: the device record {@code ll:device:{app:device}}
 * (platform, registration time, alias), alias sets {@code ll:alias:{app}:alias} and tag sets
 * {@code ll:tags:{app:device}}; it also reads what conn-nodes and routers write about a device
 * (route, inbox). Every key is built from the caller's app key. Reads of one device's slot that a
 * call needs together are sent together.
 */
public final class DeviceStore {
    private static final String F_PLATFORM = "platform";
    private static final String F_REGISTERED = "registered_ms";
    private static final String F_ALIAS = "alias";

    private final RedisClusterAsyncCommands<String, byte[]> redis;

    public DeviceStore(RedisStore redis) {
        this.redis = requireNonNull(redis, "redis").async();
    }

    /** Writes the device record's platform and registration time (HSET; an alias stays). */
    public CompletionStage<Long> register(String app, String device, Platform platform, long registeredMs) {
        return redis.hset(RedisKeys.device(app, device), Map.of(
                F_PLATFORM, utf8(platform.name()),
                F_REGISTERED, utf8(Long.toString(registeredMs))));
    }

    /**
     * What SetAlias decides on, read together: the device's current alias ("" = none), and how many
     * devices {@code alias} holds and whether this is one of them (both 0/false for {@code alias} "").
     */
    public CompletionStage<AliasSlot> aliasSlot(String app, String device, String alias) {
        CompletionStage<byte[]> previous = redis.hget(RedisKeys.device(app, device), F_ALIAS);
        CompletionStage<Long> size = alias.isEmpty() ? CompletableFuture.completedFuture(0L)
                : redis.scard(RedisKeys.alias(app, alias));
        CompletionStage<Boolean> member = alias.isEmpty() ? CompletableFuture.completedFuture(false)
                : redis.sismember(RedisKeys.alias(app, alias), utf8(device));
        return previous.thenCompose(prev -> size.thenCombine(member, (n, isMember) ->
                new AliasSlot(prev == null ? "" : new String(prev, StandardCharsets.UTF_8), n, isMember)));
    }

    /**
     * Moves the device from alias {@code previous} to {@code alias} ("" = none): out of the old
     * alias's set, the record's alias field, into the new set. The sets and the record live in
     * different cluster slots, so these are separate commands issued together, not one script.
     */
    public CompletionStage<Void> moveAlias(String app, String device, String previous, String alias) {
        String record = RedisKeys.device(app, device);
        List<CompletableFuture<?>> writes = new ArrayList<>(3);
        if (!previous.isEmpty() && !previous.equals(alias)) {
            writes.add(redis.srem(RedisKeys.alias(app, previous), utf8(device)).toCompletableFuture());
        }
        if (alias.isEmpty()) {
            writes.add(redis.hdel(record, F_ALIAS).toCompletableFuture());
        } else {
            writes.add(redis.hset(record, F_ALIAS, utf8(alias)).toCompletableFuture());
            writes.add(redis.sadd(RedisKeys.alias(app, alias), utf8(device)).toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** How many tags the device would hold with {@code tags} added (SCARD and SMISMEMBER, sent together). */
    public CompletionStage<Long> tagsAfterAdding(String app, String device, Collection<String> tags) {
        String key = RedisKeys.tags(app, device);
        CompletionStage<Long> size = redis.scard(key);
        CompletionStage<List<Boolean>> present = redis.smismember(key, utf8(tags));
        return size.thenCombine(present, (n, flags) -> n + flags.stream().filter(f -> !f).count());
    }

    public CompletionStage<Long> addTags(String app, String device, Collection<String> tags) {
        return redis.sadd(RedisKeys.tags(app, device), utf8(tags));
    }

    public CompletionStage<Long> removeTags(String app, String device, Collection<String> tags) {
        return redis.srem(RedisKeys.tags(app, device), utf8(tags));
    }

    /** The device's tags, sorted, and its route, two reads of the device's slot sent together. */
    public TagsAndRoute tagsAndRoute(String app, String device) {
        CompletableFuture<List<String>> tags = redis.smembers(RedisKeys.tags(app, device))
                .thenApply(DeviceStore::sorted).toCompletableFuture();
        CompletableFuture<Route> route = redis.get(RedisKeys.route(app, device)).thenApply(Route::parse)
                .toCompletableFuture();
        return new TagsAndRoute(tags, route);
    }

    /** Everything GetDevice answers, four reads of the device's slot sent together. */
    public CompletionStage<StoredDevice> device(String app, String device) {
        CompletableFuture<byte[]> route = redis.get(RedisKeys.route(app, device)).toCompletableFuture();
        CompletableFuture<Set<byte[]>> tags = redis.smembers(RedisKeys.tags(app, device)).toCompletableFuture();
        CompletableFuture<Long> depth = redis.zcard(RedisKeys.inbox(app, device)).toCompletableFuture();
        CompletableFuture<Map<String, byte[]>> record = redis.hgetall(RedisKeys.device(app, device))
                .toCompletableFuture();
        return CompletableFuture.allOf(route, tags, depth, record).thenApply(x -> {
            Map<String, byte[]> fields = record.join();
            byte[] alias = fields.get(F_ALIAS);
            byte[] registered = fields.get(F_REGISTERED);
            return new StoredDevice(Route.parse(route.join()), sorted(tags.join()), depth.join(),
                    alias == null ? "" : new String(alias, StandardCharsets.UTF_8), platform(fields.get(F_PLATFORM)),
                    registered == null ? 0 : Long.parseLong(new String(registered, StandardCharsets.US_ASCII)));
        });
    }

    private static Platform platform(byte[] raw) {
        if (raw == null) {
            return Platform.PLATFORM_UNSPECIFIED;
        }
        try {
            return Platform.valueOf(new String(raw, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException unknown) {
            return Platform.PLATFORM_UNSPECIFIED;
        }
    }

    private static List<String> sorted(Set<byte[]> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (byte[] b : raw) {
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        out.sort(null);
        return out;
    }

    private static byte[][] utf8(Collection<String> values) {
        return values.stream().map(DeviceStore::utf8).toArray(byte[][]::new);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The device's current alias ("" = none) and the size of, and membership in, the alias it is to get. */
    public record AliasSlot(String previous, long size, boolean member) {
    }

    /** Tags and route, read together; the route is null when the device has none. */
    public record TagsAndRoute(CompletableFuture<List<String>> tags, CompletableFuture<Route> route) {
    }

    /**
     * A device as GetDevice shows it.
     *
     * @param route        null when the device has no route
     * @param alias        "" when it has none
     * @param platform     PLATFORM_UNSPECIFIED when not registered or unknown
     * @param registeredMs 0 when not registered
     */
    public record StoredDevice(Route route, List<String> tags, long inboxDepth, String alias, Platform platform,
                               long registeredMs) {
    }
}
