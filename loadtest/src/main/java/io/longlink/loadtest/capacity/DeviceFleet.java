package io.longlink.loadtest.capacity;

import static java.util.Objects.requireNonNull;

import io.longlink.common.token.DeviceToken;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.ConnectListener;
import io.longlink.loadtest.client.DeviceTransport;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.client.PushListener;
import io.longlink.loadtest.gatling.AsyncCall;
import io.longlink.loadtest.gatling.StatsSink;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The simulated devices: the load generator's Netty client (a few event loops, one periodic task per
 * loop for every CONNACK deadline and heartbeat, batched ACKs like the SDK), one connect per Gatling
 * virtual user, and every PUSH timed from {@code Push.sent_at_ms} into Gatling's stats.
 */
final class DeviceFleet implements AutoCloseable {
    private final CapacitySettings settings;
    private final String appKey;
    private final String secret;
    private final String[] tokens;
    private final long tokenExpirySeconds;
    private final long runStartMs;
    private final Deliveries deliveries;
    private final StatsSink stats;
    private final LoadGenerator generator;
    private final AtomicInteger next = new AtomicInteger();
    /** Indexes of the connected devices, in connect order: the unicast pushes' targets. */
    private final AtomicIntegerArray connectedIndexes;
    private final AtomicInteger connected = new AtomicInteger();
    private final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();

    /**
     * @param tokens     each device's token when they were registered, else null: minted with {@code secret}
     * @param runStartMs PUSHes of messages accepted before it are counted stale, not timed
     */
    DeviceFleet(CapacitySettings settings, ApiClient.App app, String[] tokens, List<String> connNodes, long runStartMs,
                Deliveries deliveries, StatsSink stats) throws UnknownHostException {
        this.settings = requireNonNull(settings, "settings");
        this.appKey = app.key();
        this.secret = app.secret();
        this.tokens = tokens;
        this.tokenExpirySeconds = TimeUnit.MILLISECONDS.toSeconds(runStartMs) + TimeUnit.DAYS.toSeconds(1)
                + settings.rampSeconds() + settings.durationSeconds();
        this.runStartMs = runStartMs;
        this.deliveries = requireNonNull(deliveries, "deliveries");
        this.stats = requireNonNull(stats, "stats");
        this.connectedIndexes = new AtomicIntegerArray(settings.devices());
        List<InetSocketAddress> remotes = new ArrayList<>();
        for (String hostPort : connNodes) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("conn-node: '" + hostPort + "' (expected: host:port)");
            }
            remotes.add(new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                    Integer.parseInt(hostPort.substring(colon + 1))));
        }
        List<InetAddress> sources = settings.sourceIps() > 0 ? GeneratorSettings.loopbackSources(settings.sourceIps())
                : List.of(InetAddress.getByAddress(new byte[4]));
        GeneratorSettings gs = new GeneratorSettings(remotes, sources, settings.ioThreads(), 1,
                Duration.ofMillis(settings.deadlineMs()), GeneratorSettings.MAX_FRAME_BYTES, DeviceTransport.TCP);
        this.generator = new LoadGenerator(gs, Listener::new, settings.deviceTls()
                ? Optional.of(ApiClient.clientTls(settings.deviceCa(), false)) : Optional.empty());
    }

    static String deviceId(String prefix, int index) {
        return prefix + "-" + index;
    }

    /** The step of one virtual user of the devices scenario: the next device connects, up to CONNACK. */
    AsyncCall connect() {
        return outcome -> {
            int index = next.getAndIncrement();
            if (index >= settings.devices()) {
                outcome.failed("no_device_left", "more virtual users than " + settings.devices() + " devices");
                return;
            }
            String device = deviceId(settings.devicePrefix(), index);
            String token = tokens != null ? tokens[index] : DeviceToken.mint(secret, appKey, device, tokenExpirySeconds);
            byte[] frame = ConnectFrames.forDevice(appKey, device, token, settings.heartbeatSeconds());
            generator.connect(index, frame, new ConnectListener() {
                @Override
                public void connected(Channel channel) {
                    channels.add(channel);
                    connectedIndexes.set(connected.getAndIncrement(), index);
                    outcome.succeeded();
                }

                @Override
                public void failed(String reason) {
                    outcome.failed(reason, null);
                }
            });
        };
    }

    int connected() {
        return connected.get();
    }

    /** A random connected device's index, or -1 when none is. */
    int randomConnected(ThreadLocalRandom random) {
        int n = connected.get();
        return n == 0 ? -1 : connectedIndexes.get(random.nextInt(n));
    }

    /** Connections the cluster closed after CONNACK OK, by reason. */
    Map<String, Long> drops() {
        return generator.drops();
    }

    long pushes() {
        return generator.pushes();
    }

    /** Sends DISCONNECT on every connection, waits up to the call deadline for the closes, and stops the event loops. */
    @Override
    public void close() {
        try {
            generator.disconnect(channels).get(settings.deadlineMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the event loops' shutdown below closes whatever did not close by itself
        } finally {
            generator.close();
        }
    }

    /** One per event loop, called on its thread only. */
    private final class Listener implements PushListener {
        @Override
        public void onPush(long messageId, long sentAtMs, int firstPayloadByte) {
            if (sentAtMs < runStartMs) {
                deliveries.stale.increment();
                return;
            }
            long now = System.currentTimeMillis();
            if (firstPayloadByte == ApiPushes.BROADCAST_MARK) {
                deliveries.broadcastReceived.increment();
                stats.record(Deliveries.BROADCAST, sentAtMs, now, null, null);
            } else {
                deliveries.unicastReceived.increment();
                stats.record(Deliveries.UNICAST, sentAtMs, now, null, null);
            }
        }
    }
}
