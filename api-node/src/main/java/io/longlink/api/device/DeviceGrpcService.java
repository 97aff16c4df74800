package io.longlink.api.device;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.longlink.api.auth.Caller;
import io.longlink.api.validation.Fields;
import io.longlink.common.device.DeviceLimits;
import io.longlink.common.discovery.Membership;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
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
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Device registration (signed tokens), aliases and tags, kept in the {@link DeviceStore} under the
 * caller's own app key, so an app cannot read or change another app's devices whatever ids it sends.
 *
 * <p>A device holds at most {@link DeviceLimits#MAX_TAGS_PER_DEVICE} tags, as many as a conn-node
 * indexes, so every stored tag can match a tag push. Tags are read by conn-nodes when a device connects; AddTags and RemoveTags also ask the
 * conn-node holding the device's connection to reload them ({@link TagRefresher}, best effort, a
 * short deadline) before answering, so tag pushes follow the change without a reconnect.
 */
public final class DeviceGrpcService extends DeviceServiceGrpc.DeviceServiceImplBase {
    static final int MAX_TAGS_PER_CALL = 100;

    private final DeviceStore store;
    private final Membership connNodes;
    private final TagRefresher refresher;
    private final LongSupplier clock;
    private final long tokenTtlSeconds;
    private final int aliasMaxDevices;
    private final GrpcErrors errors;

    public DeviceGrpcService(DeviceStore store, Membership connNodes, TagRefresher refresher, LongSupplier clock,
                             long tokenTtlSeconds, int aliasMaxDevices, GrpcErrors errors) {
        this.store = requireNonNull(store, "store");
        this.connNodes = requireNonNull(connNodes, "connNodes");
        this.refresher = requireNonNull(refresher, "refresher");
        this.clock = requireNonNull(clock, "clock");
        this.tokenTtlSeconds = tokenTtlSeconds;
        this.aliasMaxDevices = aliasMaxDevices;
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
            return store.register(app, device, platform, now).thenApply(n -> RegisterDeviceResponse.newBuilder()
                    .setToken(token).setExpiresAtMs(expires * 1000).build());
        });
    }

    /**
     * One alias per device: the device record names the current alias, so that a change also
     * removes the device from the old alias's set.
     */
    @Override
    public void setAlias(SetAliasRequest request, StreamObserver<SetAliasResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            String alias = request.getAlias().isEmpty() ? "" : Fields.alias("alias", request.getAlias());
            return store.aliasSlot(app, device, alias).thenCompose(slot -> {
                if (!slot.member() && slot.size() >= aliasMaxDevices) {
                    throw Refusal.exhausted("alias: " + Fields.show(alias) + " already holds " + slot.size()
                            + " devices (expected: at most api.alias-max-devices = " + aliasMaxDevices + ")");
                }
                return store.moveAlias(app, device, slot.previous(), alias)
                        .thenApply(x -> SetAliasResponse.newBuilder().setPreviousAlias(slot.previous()).build());
            });
        });
    }

    @Override
    public void addTags(TagsRequest request, StreamObserver<TagsResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            Set<String> tags = tags(request);
            return store.tagsAfterAdding(app, device, tags).thenCompose(n -> {
                if (n > DeviceLimits.MAX_TAGS_PER_DEVICE) {
                    throw Refusal.invalid("tags", "the device would hold " + n + " tags",
                            "at most " + DeviceLimits.MAX_TAGS_PER_DEVICE + " per device");
                }
                return store.addTags(app, device, tags);
            }).thenCompose(x -> changed(app, device));
        });
    }

    @Override
    public void removeTags(TagsRequest request, StreamObserver<TagsResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            return store.removeTags(app, device, tags(request)).thenCompose(x -> changed(app, device));
        });
    }

    /**
     * The tags after a change, answered once the device's conn-node has reloaded them (or the
     * refresh gave up: it never fails the call, the change is in Redis already).
     */
    private CompletionStage<TagsResponse> changed(String app, String device) {
        DeviceStore.TagsAndRoute now = store.tagsAndRoute(app, device);
        return now.route().handle((r, e) -> e == null ? refresher.refresh(app, device, r)
                        : refresher.routeUnreadable(app, device, e))
                .thenCompose(refresh -> refresh)
                .thenCompose(x -> now.tags())
                .thenApply(tags -> TagsResponse.newBuilder().addAllTags(tags).build());
    }

    @Override
    public void getDevice(GetDeviceRequest request, StreamObserver<Device> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            String device = Fields.deviceId("device_id", request.getDeviceId());
            return store.device(app, device).thenApply(stored -> {
                Device.Builder d = Device.newBuilder().setDeviceId(device).addAllTags(stored.tags())
                        .setInboxDepth(stored.inboxDepth()).setAlias(stored.alias()).setPlatform(stored.platform())
                        .setRegisteredAtMs(stored.registeredMs());
                Route r = stored.route();
                if (r != null) {
                    d.setNodeId(r.nodeId()).setOnline(connNodes.isLive(r.nodeId()));
                }
                return d.build();
            });
        });
    }

    private static Set<String> tags(TagsRequest request) {
        int n = request.getTagsCount();
        if (n == 0 || n > MAX_TAGS_PER_CALL) {
            throw Refusal.invalid("tags", n + " tags", "1 to " + MAX_TAGS_PER_CALL);
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            distinct.add(Fields.tag("tags[" + i + "]", request.getTags(i)));
        }
        return distinct;
    }
}
