package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.ConnNodeEndpoint;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.proto.api.PushServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One gRPC channel to each api-node, and stubs that carry the app's or the admin's credentials. */
final class ApiNodes implements AutoCloseable {
    private static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_SECRET = Metadata.Key.of("x-longlink-app-secret",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> ADMIN_TOKEN = Metadata.Key.of("x-longlink-admin-token",
            Metadata.ASCII_STRING_MARSHALLER);

    private final List<String> addresses;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private volatile List<PushServiceGrpc.PushServiceBlockingStub> push = List.of();
    private volatile List<DeviceServiceGrpc.DeviceServiceBlockingStub> devices = List.of();

    ApiNodes(List<String> addresses) {
        this.addresses = List.copyOf(addresses);
        if (this.addresses.isEmpty()) {
            throw new IllegalArgumentException("addresses: none (expected: the api-nodes' host:port)");
        }
        for (String a : this.addresses) {
            channels.add(NettyChannelBuilder.forTarget(a).usePlaintext().build());
        }
    }

    int size() {
        return channels.size();
    }

    String address(int node) {
        return addresses.get(node);
    }

    CreateAppResponse createApp(String adminToken, String name) {
        Metadata admin = new Metadata();
        admin.put(ADMIN_TOKEN, requireNonNull(adminToken, "adminToken"));
        return AppAdminServiceGrpc.newBlockingStub(channels.getFirst())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(admin))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .createApp(CreateAppRequest.newBuilder().setName(name).build());
    }

    /**
     * The device endpoints the bootstrap service offers (least loaded first), as host:port, from the
     * first api-node that answers within 2 s, as an app server would ask it.
     */
    List<String> bootstrap(int limit) {
        StatusRuntimeException last = null;
        for (ManagedChannel channel : channels) {
            try {
                return BootstrapServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .getConnNodes(GetConnNodesRequest.newBuilder().setLimit(limit).build())
                        .getNodesList().stream().map(ConnNodeEndpoint::getAddress).toList();
            } catch (StatusRuntimeException e) {
                last = e;
            }
        }
        throw requireNonNull(last, "no api-node");
    }

    void useApp(String appKey, String secret) {
        Metadata creds = new Metadata();
        creds.put(APP_KEY, appKey);
        creds.put(APP_SECRET, secret);
        var attach = MetadataUtils.newAttachHeadersInterceptor(creds);
        push = channels.stream().map(c -> PushServiceGrpc.newBlockingStub(c).withInterceptors(attach)).toList();
        devices = channels.stream().map(c -> DeviceServiceGrpc.newBlockingStub(c).withInterceptors(attach)).toList();
    }

    PushServiceGrpc.PushServiceBlockingStub push(int node) {
        return push.get(node);
    }

    DeviceServiceGrpc.DeviceServiceBlockingStub devices(int node) {
        return devices.get(node);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
