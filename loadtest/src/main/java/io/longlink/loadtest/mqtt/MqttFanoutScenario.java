package io.longlink.loadtest.mqtt;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.token.DeviceToken;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.probe.CpuTimes;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.proto.api.CreateAppResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QoS 1 deliveries to N MQTT subscribers, the same subscriber code against two brokers one after
 * the other: Longlink (pushes through the public gRPC API, MQTT 3.1.1 subscribers on the conn-nodes'
 * MQTT listeners) and Debian's mosquitto (a QoS 1 publisher client). Each broker gets a broadcast
 * phase (every message to every subscriber) and a unicast phase (each message to one subscriber);
 * a phase lasts from its first send to its last expected delivery. Longlink must also have tracked
 * every delivery: the PUBACKs come back as ACKs, counted per message in Redis.
 */
final class MqttFanoutScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final int TTL_SECONDS = 600;
    private static final int CONNECT_WINDOW = 512;
    /** Message ids of a mosquitto warm-up round start at its number times this, clear of the measured ones. */
    private static final long ROUND_IDS = 1_000_000_000L;

    private final MqttFanoutCommand o;

    MqttFanoutScenario(MqttFanoutCommand options) {
        this.o = requireNonNull(options, "options");
    }

    /** One phase's figures: deliveries expected, received once, received in all, and how long it took. */
    record Phase(long expected, long received, long deliveries, double seconds) {
        double perSecond() {
            return seconds <= 0 ? 0 : received / seconds;
        }

        long lost() {
            return expected - received;
        }
    }

    @FunctionalInterface
    private interface Sender {
        void send() throws Exception;
    }

    ResultLine run(Stack stack) throws Exception {
        requireNonNull(stack, "stack");
        if (stack.api().isEmpty() || stack.adminToken().isEmpty() || stack.mqtts().isEmpty()) {
            throw new IllegalStateException("mqtt-fanout needs an api-node, its admin token and MQTT listeners");
        }
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 20);
        List<InetAddress> sources = GeneratorSettings.loopbackSources(o.sourceIps);
        List<InetSocketAddress> mqtts = new ArrayList<>();
        for (InetSocketAddress m : stack.mqtts().subList(0, o.connNodes)) {
            mqtts.add(new InetSocketAddress(InetAddress.getByName(m.getHostString()), m.getPort()));
        }
        String loadAvg = CpuTimes.loadAverage();

        Phase[] longlink = new Phase[2];
        long ackedBroadcast;
        long ackedUnicast;
        Map<String, Long> longlinkDrops;
        try (LonglinkPushes api = new LonglinkPushes(stack.api(), o.window, TTL_SECONDS);
             MqttSubscribers subs = new MqttSubscribers(o.ioThreads, sources, idsPerSubscriber());
             RedisStore redis = RedisStore.open(stack.redisUri(), false, 5_000)) {
            CreateAppResponse app = api.createApp(stack.adminToken(), "mqtt-fanout");
            long expiry = System.currentTimeMillis() / 1000 + 86_400;
            List<MqttSubscribers.Identity> ids = new ArrayList<>(o.subscribers);
            for (int i = 0; i < o.subscribers; i++) {
                String device = "s" + i;
                ids.add(new MqttSubscribers.Identity(device, app.getAppKey(),
                        DeviceToken.mint(app.getSecret(), app.getAppKey(), device, expiry),
                        List.of("longlink/" + app.getAppKey() + "/" + device + "/push")));
            }
            connect(subs, mqtts, ids, "Longlink", deadline);
            Sender broadcasts = () -> {
                for (int m = 0; m < o.broadcasts; m++) {
                    api.broadcast();
                }
                api.awaitAnswers(); // a refused push fails the run now, not after the phase's timeout
            };
            Sender unicasts = () -> {
                List<String> batch = new ArrayList<>(o.batch);
                for (int k = 0; k < o.unicasts; k++) {
                    batch.add("s" + (k % o.subscribers));
                    if (batch.size() == o.batch || k == o.unicasts - 1) {
                        api.unicasts(batch);
                        batch = new ArrayList<>(o.batch);
                    }
                }
                api.awaitAnswers();
            };
            for (int r = 1; r <= o.warmupRounds; r++) {
                phases("longlink warm-up " + r, subs, broadcasts, unicasts, deadline);
            }
            int warmupIds = api.accepted().size();
            Phase[] measured = phases("longlink", subs, broadcasts, unicasts, deadline);
            longlink[0] = measured[0];
            longlink[1] = measured[1];
            List<Long> accepted = api.accepted().subList(warmupIds, api.accepted().size());
            int broadcastIds = o.broadcasts; // the broadcasts were all answered before the first unicast was sent
            ackedBroadcast = ackedInRedis(redis.async(), accepted.subList(0, broadcastIds), longlink[0].received());
            ackedUnicast = ackedInRedis(redis.async(), accepted.subList(broadcastIds, accepted.size()),
                    longlink[1].received());
            longlinkDrops = subs.drops();
            subs.disconnect();
        }

        Phase[] mosquitto = new Phase[2];
        Map<String, Long> mosquittoDrops;
        Path dir = Path.of(System.getProperty("longlink.bench.out", System.getProperty("java.io.tmpdir")));
        try (MosquittoBroker broker = MosquittoBroker.start(dir, Math.max(1_000, o.broadcasts + o.unicasts),
                Duration.ofSeconds(10));
             MqttSubscribers subs = new MqttSubscribers(o.ioThreads, sources, idsPerSubscriber());
             MqttPublisher publisher = new MqttPublisher(broker.address(), o.window)) {
            log.info("mosquitto pid={} address={}", broker.pid(), broker.address());
            List<MqttSubscribers.Identity> ids = new ArrayList<>(o.subscribers);
            for (int i = 0; i < o.subscribers; i++) {
                ids.add(new MqttSubscribers.Identity("m" + i, "bench", "bench", List.of("bench/all", "bench/d/m" + i)));
            }
            connect(subs, List.of(broker.address()), ids, "mosquitto", deadline);
            // message ids as Longlink's are: new in every round (a subscriber counts an id once)
            long[] idBase = new long[1];
            Sender broadcasts = () -> {
                for (int m = 0; m < o.broadcasts; m++) {
                    publisher.publish("bench/all", idBase[0] + m + 1);
                }
            };
            Sender unicasts = () -> {
                for (int k = 0; k < o.unicasts; k++) {
                    publisher.publish("bench/d/m" + (k % o.subscribers), idBase[0] + o.broadcasts + k + 1L);
                }
            };
            for (int r = 1; r <= o.warmupRounds; r++) {
                idBase[0] = r * ROUND_IDS;
                phases("mosquitto warm-up " + r, subs, broadcasts, unicasts, deadline);
            }
            idBase[0] = 0;
            Phase[] measured = phases("mosquitto", subs, broadcasts, unicasts, deadline);
            mosquitto[0] = measured[0];
            mosquitto[1] = measured[1];
            mosquittoDrops = subs.drops();
            subs.disconnect();
        }

        double llRate = overall(longlink);
        double mqRate = overall(mosquitto);
        long lost = longlink[0].lost() + longlink[1].lost();
        long acked = ackedBroadcast + ackedUnicast;
        long expectedAcks = longlink[0].received() + longlink[1].received();
        double ratio = mqRate == 0 ? 0 : llRate / mqRate;
        return new ResultLine()
                .put("scenario", MqttFanoutCommand.NAME)
                .put("status", "ok")
                .put("longlink_deliveries_per_s", llRate, 0)
                .put("mosquitto_deliveries_per_s", mqRate, 0)
                .put("ratio", ratio, 2)
                .put("lost", lost)
                .put("mosquitto_lost", mosquitto[0].lost() + mosquitto[1].lost())
                .put("longlink_acked", acked)
                .put("longlink_acked_broadcast", ackedBroadcast)
                .put("longlink_acked_unicast", ackedUnicast)
                .put("longlink_tracked_all", acked == expectedAcks)
                .put("subscribers", o.subscribers)
                .put("broadcasts", o.broadcasts)
                .put("unicasts", o.unicasts)
                .put("warmup_rounds", o.warmupRounds)
                .put("conn_nodes", o.connNodes)
                .put("routers", o.routers)
                .put("batch", o.batch)
                .put("router_ack_wait_ms", o.routerAckWaitMs)
                .put("longlink_broadcast_deliveries_per_s", longlink[0].perSecond(), 0)
                .put("longlink_unicast_deliveries_per_s", longlink[1].perSecond(), 0)
                .put("mosquitto_broadcast_deliveries_per_s", mosquitto[0].perSecond(), 0)
                .put("mosquitto_unicast_deliveries_per_s", mosquitto[1].perSecond(), 0)
                .put("longlink_broadcast_s", longlink[0].seconds(), 2)
                .put("longlink_unicast_s", longlink[1].seconds(), 2)
                .put("mosquitto_broadcast_s", mosquitto[0].seconds(), 2)
                .put("mosquitto_unicast_s", mosquitto[1].seconds(), 2)
                .put("longlink_duplicates", duplicates(longlink))
                .put("mosquitto_duplicates", duplicates(mosquitto))
                .put("longlink_dropped", longlinkDrops.values().stream().mapToLong(Long::longValue).sum())
                .put("mosquitto_dropped", mosquittoDrops.values().stream().mapToLong(Long::longValue).sum())
                .put("loadavg_1m", loadAvg)
                .put("target_ok", ratio >= 1.0 && lost == 0 && acked == expectedAcks);
    }

    /**
     * Message ids one subscriber receives over the whole run (every broadcast and its share of the
     * unicasts, per round), what its id set is sized for; at most what keeps all the sets within about
     * 64 MB of the generator's heap (beyond, a set grows as it fills).
     */
    private int idsPerSubscriber() {
        long perRound = o.broadcasts + (o.unicasts + o.subscribers - 1L) / o.subscribers;
        return (int) Math.min(perRound * (o.warmupRounds + 1), Math.max(16, (4L << 20) / o.subscribers));
    }

    private void connect(MqttSubscribers subs, List<InetSocketAddress> brokers, List<MqttSubscribers.Identity> ids,
                         String broker, Deadline deadline) throws Exception {
        long start = System.nanoTime();
        subs.connect(brokers, ids, CONNECT_WINDOW).get(deadline.budget(Duration.ofMinutes(5),
                "connecting " + ids.size() + " subscribers to " + broker).toNanos(), TimeUnit.NANOSECONDS);
        log.info("{} subscribers connected and subscribed broker={} seconds={}", ids.size(), broker,
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
    }

    /** The broadcast phase, then the unicast phase, of one round. */
    private Phase[] phases(String round, MqttSubscribers subs, Sender broadcasts, Sender unicasts, Deadline deadline)
            throws Exception {
        return new Phase[] {phase(round + " broadcast", subs, (long) o.broadcasts * o.subscribers, broadcasts, deadline),
            phase(round + " unicast", subs, o.unicasts, unicasts, deadline)};
    }

    /** Sends, then waits until {@code expected} new distinct deliveries arrived or the phase timed out. */
    private Phase phase(String name, MqttSubscribers subs, long expected, Sender sender, Deadline deadline)
            throws Exception {
        long baseUnique = subs.unique();
        long baseAll = subs.deliveries();
        long start = System.nanoTime();
        sender.send();
        double sentSeconds = (System.nanoTime() - start) / 1e9;
        long end = start + deadline.budget(Duration.ofSeconds(o.phaseTimeoutS), name).toNanos();
        long last = start;
        long seen = 0;
        while (seen < expected && System.nanoTime() - end < 0) {
            long now = subs.unique() - baseUnique;
            if (now != seen) {
                seen = now;
                last = System.nanoTime();
            }
            if (seen < expected) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
        double seconds = (last - start) / 1e9;
        Phase p = new Phase(expected, seen, subs.deliveries() - baseAll, seconds);
        log.info("phase={} expected={} received={} deliveries={} seconds={} sent_s={} per_s={}", name, expected,
                seen, p.deliveries(), String.format("%.2f", seconds), String.format("%.2f", sentSeconds),
                String.format("%.0f", p.perSecond()));
        return p;
    }

    /** Sum of the {@code acked} counts Longlink keeps per message: every PUBACK that reached it as an ACK. */
    private static long ackedInRedis(RedisClusterAsyncCommands<String, byte[]> redis, List<Long> ids, long expected)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long sum;
        do {
            sum = 0;
            for (long id : ids) {
                byte[] v = redis.hget(RedisKeys.stat(id), RedisKeys.STAT_ACKED).get(5, TimeUnit.SECONDS);
                sum += v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII));
            }
            if (sum >= expected) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(500); // fan-out ACK counts are flushed to Redis once a second
        } while (System.nanoTime() - end < 0);
        log.info("longlink acked in redis={} expected={}", sum, expected);
        return sum;
    }

    private static double overall(Phase[] phases) {
        double seconds = phases[0].seconds() + phases[1].seconds();
        return seconds <= 0 ? 0 : (phases[0].received() + phases[1].received()) / seconds;
    }

    private static long duplicates(Phase[] phases) {
        return phases[0].deliveries() - phases[0].received() + phases[1].deliveries() - phases[1].received();
    }
}
