package io.longlink.api.device;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.api.auth.Caller;
import io.longlink.api.validation.Fields;
import io.longlink.common.discovery.Membership;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.redis.Route;
import io.longlink.common.token.DeviceToken;
import io.longlink.proto.api.Device;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.RegisterDeviceResponse;
import io.longlink.proto.api.SetAliasRequest;
import io.longlink.proto.api.SetAliasResponse;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.api.TagsResponse;
import io.longlink.proto.device.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Device registration (signed tokens), aliases and tags. Every key is built from the caller's own
 * app key, so an app cannot read or change another app's devices whatever ids it sends.
 *
 * <p>Tags are read by conn-nodes when a device connects; AddTags and RemoveTags also ask the
 * conn-node holding the device's connection to reload them ({@link TagRefresher}, best effort, a
 * short deadline) before answering, so tag pushes follow the change without a reconnect.
 */
public final class DeviceGrpcService extends DeviceServiceGrpc.DeviceServiceImplBase {
    static final int MAX_TAGS_PER_CALL = 100;
    private static final String F_PLATFORM = "platform";
    private static final String F_REGISTERED = "registered_ms";
    private static final String F_ALIAS = "alias";

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final Membership connNodes;
    private final TagRefresher refresher;
    private final LongSupplier clock;
    private final long tokenTtlSeconds;
    private final int aliasMaxDevices;
    private final int deviceMaxTags;
    private final GrpcErrors errors;

    public DeviceGrpcService(RedisStore redis, Membership connNodes, TagRefresher refresher, LongSupplier clock,
                             long tokenTtlSeconds, int aliasMaxDevices, int deviceMaxTags, GrpcErrors errors) {
        this.redis = requireNonNull(redis, "redis").async();
        this.connNodes = requireNonNull(connNodes, "connNodes");
        this.refresher = requireNonNull(refresher, "refresher");
        this.clock = requireNonNull(clock, "clock");
        this.tokenTtlSeconds = tokenTtlSeconds;
        this.aliasMaxDevices = aliasMaxDevices;
        this.deviceMaxTags = deviceMaxTags;
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public void registerDevice(RegisterDeviceRequest request, StreamObserver<RegisterDeviceResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            Platform platform = request.getPlatform();
            if (platform == Platform.PLATFORM_UNSPECIFIED || platform == Platform.UNRECOGNIZED) {
                throw Refusal.invalid("platform", request.getPlatformValue(),
                        "one of ANDROID, IOS, WEB, DESKTOP, IOT");
            }
            long now = clock.getAsLong();
            long expires = now / 1000 + tokenTtlSeconds;
            String token = DeviceToken.mint(Caller.appSecret(), app, device, expires);
            return redis.hset(RedisKeys.device(app, device), Map.of(
                    F_PLATFORM, utf8(platform.name()),
                    F_REGISTERED, utf8(Long.toString(now)))).thenApply(n -> RegisterDeviceResponse.newBuilder()
                    .setToken(token).setExpiresAtMs(expires * 1000).build());
        });
    }

    /**
     * One alias per device. The device record names the current alias so that a change also
     * removes the device from the old alias's set (alias sets and device records live in
     * different cluster slots, so these are separate commands, not one script).
     */
    @Override
    public void setAlias(SetAliasRequest request, StreamObserver<SetAliasResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            String alias = request.getAlias().isEmpty() ? "" : Fields.alias("alias", request.getAlias());
            String record = RedisKeys.device(app, device);
            CompletionStage<byte[]> previous = redis.hget(record, F_ALIAS);
            CompletionStage<Long> size = alias.isEmpty() ? CompletableFuture.completedFuture(0L)
                    : redis.scard(RedisKeys.alias(app, alias));
            CompletionStage<Boolean> member = alias.isEmpty() ? CompletableFuture.completedFuture(false)
                    : redis.sismember(RedisKeys.alias(app, alias), utf8(device));
            return previous.thenCompose(prevRaw -> size.thenCombine(member, (n, isMember) -> {
                if (!isMember && n >= aliasMaxDevices) {
                    throw Refusal.exhausted("alias: " + Fields.show(alias) + " already holds " + n
                            + " devices (expected: at most api.alias-max-devices = " + aliasMaxDevices + ")");
                }
                return prevRaw == null ? "" : new String(prevRaw, StandardCharsets.UTF_8);
            })).thenCompose(prev -> {
                List<CompletableFuture<?>> writes = new ArrayList<>(3);
                if (!prev.isEmpty() && !prev.equals(alias)) {
                    writes.add(redis.srem(RedisKeys.alias(app, prev), utf8(device)).toCompletableFuture());
                }
                if (alias.isEmpty()) {
                    writes.add(redis.hdel(record, F_ALIAS).toCompletableFuture());
                } else {
                    writes.add(redis.hset(record, F_ALIAS, utf8(alias)).toCompletableFuture());
                    writes.add(redis.sadd(RedisKeys.alias(app, alias), utf8(device)).toCompletableFuture());
                }
                return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                        .thenApply(x -> SetAliasResponse.newBuilder().setPreviousAlias(prev).build());
            });
        });
    }

    @Override
    public void addTags(TagsRequest request, StreamObserver<TagsResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            byte[][] tags = tags(request);
            String key = RedisKeys.tags(app, device);
            CompletionStage<Long> size = redis.scard(key);
            CompletionStage<List<Boolean>> present = redis.smismember(key, tags);
            return size.thenCombine(present, (n, flags) -> {
                long added = flags.stream().filter(f -> !f).count();
                if (n + added > deviceMaxTags) {
                    throw Refusal.exhausted("tags: the device would hold " + (n + added)
                            + " tags (expected: at most api.device-max-tags = " + deviceMaxTags + ")");
                }
                return added;
            }).thenCompose(x -> redis.sadd(key, tags)).thenCompose(x -> changed(app, device));
        });
    }

    @Override
    public void removeTags(TagsRequest request, StreamObserver<TagsResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            String key = RedisKeys.tags(app, device);
            return redis.srem(key, tags(request)).thenCompose(x -> changed(app, device));
        });
    }

    /**
     * The tags after a change, answered once the device's conn-node has reloaded them (or the
     * refresh gave up: it never fails the call, the change is in Redis already).
     */
    private CompletionStage<TagsResponse> changed(String app, String device) {
        // two reads of the device's slot, sent together
        CompletableFuture<TagsResponse> tags = members(RedisKeys.tags(app, device)).toCompletableFuture();
        CompletableFuture<byte[]> route = redis.get(RedisKeys.route(app, device)).toCompletableFuture();
        return route.handle((r, e) -> e == null ? refresher.refresh(app, device, r)
                        : refresher.routeUnreadable(app, device, e))
                .thenCompose(refresh -> refresh)
                .thenCompose(x -> tags);
    }

    @Override
    public void getDevice(GetDeviceRequest request, StreamObserver<Device> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            // four reads of one device's slot, sent together
            CompletableFuture<byte[]> route = redis.get(RedisKeys.route(app, device)).toCompletableFuture();
            CompletableFuture<Set<byte[]>> tags = redis.smembers(RedisKeys.tags(app, device)).toCompletableFuture();
            CompletableFuture<Long> depth = redis.zcard(RedisKeys.inbox(app, device)).toCompletableFuture();
            CompletableFuture<Map<String, byte[]>> record = redis.hgetall(RedisKeys.device(app, device)).toCompletableFuture();
            return CompletableFuture.allOf(route, tags, depth, record).thenApply(x -> {
                Device.Builder d = Device.newBuilder().setDeviceId(device).addAllTags(sorted(tags.join()))
                        .setInboxDepth(depth.join());
                Route r = Route.parse(route.join());
                if (r != null) {
                    d.setNodeId(r.nodeId()).setOnline(connNodes.isLive(r.nodeId()));
                }
                Map<String, byte[]> fields = record.join();
                byte[] alias = fields.get(F_ALIAS);
                if (alias != null) {
                    d.setAlias(new String(alias, StandardCharsets.UTF_8));
                }
                byte[] platform = fields.get(F_PLATFORM);
                if (platform != null) {
                    try {
                        d.setPlatform(Platform.valueOf(new String(platform, StandardCharsets.UTF_8)));
                    } catch (IllegalArgumentException unknown) {
                        d.setPlatform(Platform.PLATFORM_UNSPECIFIED);
                    }
                }
                byte[] registered = fields.get(F_REGISTERED);
                if (registered != null) {
                    d.setRegisteredAtMs(Long.parseLong(new String(registered, StandardCharsets.US_ASCII)));
                }
                return d.build();
            });
        });
    }

    private static byte[][] tags(TagsRequest request) {
        int n = request.getTagsCount();
        if (n == 0 || n > MAX_TAGS_PER_CALL) {
            throw Refusal.invalid("tags", n + " tags", "1 to " + MAX_TAGS_PER_CALL);
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            distinct.add(Fields.tag("tags[" + i + "]", request.getTags(i)));
        }
        return distinct.stream().map(DeviceGrpcService::utf8).toArray(byte[][]::new);
    }

    private CompletionStage<TagsResponse> members(String key) {
        return redis.smembers(key).thenApply(set -> TagsResponse.newBuilder().addAllTags(sorted(set)).build());
    }

    private static List<String> sorted(Set<byte[]> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (byte[] b : raw) {
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        out.sort(null);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
