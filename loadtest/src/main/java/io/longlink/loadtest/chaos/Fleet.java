package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.SetAliasRequest;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.device.Platform;
import io.longlink.sdk.ClientState;
import io.longlink.sdk.LonglinkClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices of a chaos run: registered through the API with their tag and alias, then each held
 * by a real SDK client ({@link LonglinkClient}: its own reconnect with backoff and jitter,
 * de-duplication by id and ACKs) whose listener is a {@link DeviceLog}.
 */
final class Fleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final int SETUP_THREADS = 16;

    private final Audiences audiences;
    private final List<DeviceLog> logs = new ArrayList<>();
    private final List<LonglinkClient> clients = new ArrayList<>();

    Fleet(Audiences audiences, LongSupplier clock, RecoveryWindows windows) {
        this.audiences = requireNonNull(audiences, "audiences");
        for (int i = 0; i < audiences.devices(); i++) {
            logs.add(new DeviceLog(i, clock, windows));
        }
    }

    List<DeviceLog> logs() {
        return logs;
    }

    /** Registers every device (token, tag, alias) through the API; returns the tokens by device index. */
    List<String> register(ApiNodes api, Duration deadline) throws Exception {
        String[] tokens = new String[audiences.devices()];
        ExecutorService pool = Executors.newFixedThreadPool(SETUP_THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < SETUP_THREADS; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    Failover f = new Failover(api.size(), first, Failover.newCounts());
                    for (int i = first; i < audiences.devices(); i += SETUP_THREADS) {
                        int d = i;
                        String id = Audiences.deviceId(d);
                        tokens[d] = f.call(n -> api.devices(n).withDeadlineAfter(10, TimeUnit.SECONDS)
                                .registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId(id).setPlatform(Platform.ANDROID)
                                        .build()), () -> false)
                                .getToken();
                        f.call(n -> api.devices(n).withDeadlineAfter(10, TimeUnit.SECONDS).addTags(TagsRequest
                                .newBuilder().setDeviceId(id).addTags(audiences.tagOf(d)).build()), () -> false);
                        String alias = audiences.aliasOf(d);
                        if (alias != null) {
                            f.call(n -> api.devices(n).withDeadlineAfter(10, TimeUnit.SECONDS).setAlias(SetAliasRequest
                                    .newBuilder().setDeviceId(id).setAlias(alias).build()), () -> false);
                        }
                    }
                    return null;
                }));
            }
            long end = System.nanoTime() + deadline.toNanos();
            for (Future<?> f : done) {
                f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(tokens);
    }

    /**
     * Starts one SDK client per device, {@code perSecond} at a time, and waits until all are connected.
     * Each device asks {@code bootstrap} for its server list at every reconnect round, as an app does
     * through its server (the answer at start is the fallback). Device {@code i} gets the list rotated
     * by {@code i}: the bootstrap answers least loaded first, and devices asking it at different
     * moments get different heads, which one shared answer would not show.
     */
    void connect(String appKey, List<String> tokens, Supplier<List<String>> bootstrap, int perSecond, long seed,
                 Duration deadline) throws InterruptedException, TimeoutException {
        List<String> servers = bootstrap.get();
        long started = System.nanoTime();
        for (int i = 0; i < audiences.devices(); i++) {
            int device = i;
            LonglinkClient client = LonglinkClient.builder()
                    .servers(rotated(servers, device))
                    .serverSupplier(() -> rotated(bootstrap.get(), device))
                    .appKey(appKey)
                    .deviceId(Audiences.deviceId(i))
                    .token(tokens.get(i))
                    .platform(Platform.ANDROID)
                    .listener(logs.get(i))
                    // one instance per device here: a KICK is the server's mistake, and the device stays
                    .reconnectOnKick(true)
                    .random(new Random(seed * 7919 + i))
                    .build();
            clients.add(client);
            client.start();
            long due = started + TimeUnit.SECONDS.toNanos(1) * (i + 1) / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        long end = System.nanoTime() + deadline.toNanos();
        for (int i = 0; i < clients.size(); i++) {
            if (!clients.get(i).awaitConnected(Duration.ofNanos(Math.max(1, end - System.nanoTime())))) {
                throw new TimeoutException(connected() + " of " + clients.size() + " devices connected within "
                        + deadline.toSeconds() + " s; " + Audiences.deviceId(i) + " is " + clients.get(i).state());
            }
        }
    }

    private static List<String> rotated(List<String> servers, int by) {
        List<String> rotated = new ArrayList<>(servers.size());
        for (int s = 0; s < servers.size(); s++) {
            rotated.add(servers.get((by + s) % servers.size()));
        }
        return rotated;
    }

    long connected() {
        return clients.stream().filter(c -> c.state() == ClientState.CONNECTED).count();
    }

    long connects() {
        return logs.stream().mapToLong(DeviceLog::connects).sum();
    }

    long kicks() {
        return logs.stream().mapToLong(DeviceLog::kicks).sum();
    }

    @Override
    public void close() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(SETUP_THREADS);
        clients.forEach(c -> pool.execute(c::close));
        pool.shutdown();
        if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
            log.warn("devices still closing after 2 minutes");
        }
    }
}
