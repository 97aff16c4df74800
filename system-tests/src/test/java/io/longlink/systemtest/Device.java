package io.longlink.systemtest;

import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.device.Platform;
import io.longlink.sdk.Disconnect;
import io.longlink.sdk.LonglinkClient;
import io.longlink.sdk.PushMessage;
import io.longlink.sdk.SessionInfo;
import io.longlink.sdk.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A device as an app would run it: registered through the API, connected with the SDK, recording what the app sees. */
final class Device implements AutoCloseable {
    final String id;
    final String token;
    /** Every callback of every connection of this device, in order. */
    private final RecordingListener events = new RecordingListener();
    final List<PushMessage> messages = events.messages;
    final List<Disconnect> disconnects = events.disconnects;
    final List<SessionInfo> sessions = events.connected;
    private final TestCluster.App app;
    private final List<String> servers;
    private LonglinkClient client;

    private Device(TestCluster.App app, String id, String token, List<String> servers) {
        this.app = app;
        this.id = id;
        this.token = token;
        this.servers = servers;
    }

    static Device register(TestCluster cluster, TestCluster.App app, String id) {
        String token = app.devices().withDeadlineAfter(10, TimeUnit.SECONDS).registerDevice(
                RegisterDeviceRequest.newBuilder().setDeviceId(id).setPlatform(Platform.ANDROID).build()).getToken();
        return new Device(app, id, token, cluster.deviceAddresses());
    }

    Device connect() throws InterruptedException {
        return connect(servers);
    }

    Device connect(List<String> to) throws InterruptedException {
        long lastSeen = client == null ? 0 : client.lastMessageId();
        client = LonglinkClient.builder()
                .servers(to)
                .appKey(app.key())
                .deviceId(id)
                .token(token)
                .lastMessageId(lastSeen)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .ackWindow(Duration.ofMillis(20))
                .listener(events)
                .build();
        client.start();
        if (!client.awaitConnected(Duration.ofSeconds(15))) {
            throw new AssertionError("device " + id + " did not connect: " + disconnects);
        }
        return this;
    }

    LonglinkClient client() {
        return client;
    }

    List<String> payloads() {
        return messages.stream().map(PushMessage::payloadUtf8).toList();
    }

    /** Closes the connection (acknowledging what the app received), keeping what was recorded. */
    void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    public void close() {
        disconnect();
    }
}
