package io.longlink.loadtest.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.loadtest.it.ProcessStack;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos benchmark's faults at small scale, against one stack of real processes started with
 * ops/node (Redis with AOF, ZooKeeper, Kafka, 2 api-, 2 router- and 3 conn-nodes from their packaged
 * jars) under a steady load to 60 SDK devices. One test per fault, in the benchmark's order: each
 * accounts for the pushes accepted from a few seconds before its fault until deliveries recovered,
 * and finds none lost, none shown twice and none out of order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIntegrationTest {
    private static final long SEED = 12;
    private static final List<FaultStep> SCHEDULE = FaultStep.schedule(List.of(Fault.values()), SEED, 3, 2, 2);
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(150);
    private static final long STALL_MS = 20_000;

    private static ProcessStack stack;
    private static FaultRunner faults;
    private static ChaosRun run;

    @BeforeAll
    static void startStackAndLoad() throws Exception {
        stack = ProcessStack.create("chaos-it");
        NodeControl nodes = stack.nodes();
        for (String infra : List.of("redis", "zookeeper", "kafka")) {
            nodes.run("start", infra);
        }
        // api-1 makes the admin token the other api-node reads
        nodes.run("start", "api-1");
        stack.startAll(List.of("router-1", "router-2", "conn-1", "conn-2", "conn-3", "api-2"));
        faults = new FaultRunner(nodes, new FaultRunner.Durations(2, 10, 8, 60), System::currentTimeMillis);
        PushLoad.Rates rates = new PushLoad.Rates(3, 6, 1, 0.5, 4, true, 1, 1, 12, 1, 600);
        ChaosRun.Settings settings = new ChaosRun.Settings(60, 4, 5, 3, rates, 60, 3_000, SEED, 3_600);
        int portBase = stack.portBase();
        List<String> apis = List.of("127.0.0.1:" + (portBase + 10), "127.0.0.1:" + (portBase + 12));
        run = ChaosRun.start(settings, apis, stack.adminToken(), System::currentTimeMillis, Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> run.windows().recoveredAt(run.loadStartMs(), System.currentTimeMillis()) >= 0);
    }

    @AfterAll
    static void stopAll() throws Exception {
        try {
            if (run != null) {
                run.close();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @Test
    @Order(1)
    void connNodeKilled_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.CONN_KILL));
    }

    @Test
    @Order(2)
    void routerKilled_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.ROUTER_KILL));
    }

    @Test
    @Order(3)
    void apiNodeKilled_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.API_KILL));
    }

    @Test
    @Order(4)
    void routerPausedPastSessionTimeout_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.ROUTER_PAUSE));
    }

    @Test
    @Order(5)
    void redisStopped_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.REDIS_STOP));
    }

    @Test
    @Order(6)
    void kafkaRestarted_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.KAFKA_RESTART));
    }

    @Test
    @Order(7)
    void redisRestarted_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.REDIS_RESTART));
    }

    @Test
    @Order(8)
    void connNodeDrained_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.CONN_DRAIN));
    }

    @Test
    @Order(9)
    void routerStoppedWhileRedisPaused_thenEveryAcceptedPushShownOnceInOrder() throws Exception {
        assertNoLossAround(step(Fault.REDIS_PAUSE_ROUTER_STOP));
    }

    /**
     * Load runs a little before the fault; the pushes accepted from then until deliveries recovered
     * (or the wait for it ended) must each reach every target once, device pushes in order.
     */
    private static void assertNoLossAround(FaultStep step) throws Exception {
        long from = System.currentTimeMillis();
        long acceptedBefore = run.accepted().count();
        await().atMost(Duration.ofSeconds(60)).until(() -> run.accepted().count() >= acceptedBefore + 20);
        FaultRunner.Times t = faults.run(step);
        long repairedBy = t.repairedMs() + RECOVERY_WAIT.toMillis();
        AtomicLong recovered = new AtomicLong(-1);
        await().atMost(RECOVERY_WAIT.plusSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            recovered.set(run.windows().recoveredAt(t.injectedMs(), System.currentTimeMillis()));
            return recovered.get() >= 0 || System.currentTimeMillis() >= repairedBy;
        });
        long to = System.currentTimeMillis();
        ChaosRun.Progress progress = new ChaosRun.Progress(STALL_MS);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            long missing = run.missingCopies(from, to);
            return missing == 0 || progress.stalled(missing, System.currentTimeMillis());
        });
        List<ChaosTally.Phase> phases = List.of(new ChaosTally.Phase(step.fault().key(), from));
        ChaosTally.Report r = run.tally(phases, from, to);
        ChaosTally.Counts c = r.total();
        String what = step + ": accepted " + c.accepted + ", recovered "
                + (recovered.get() < 0 ? "never" : (recovered.get() - t.injectedMs()) + " ms after injection")
                + ", lost " + c.lost + " (" + c.lostKindsText() + "), lost_ttl0 " + c.lostTtl0 + ", duplicates "
                + c.duplicates + ", order violations " + c.orderViolations + ", lost copies e.g. "
                + r.samples().stream().limit(5).map(l -> l.push().kind().key() + ":"
                        + Long.toUnsignedString(l.push().id()) + "->" + Audiences.deviceId(l.device())).toList()
                + ", shown out of order e.g. " + r.reorders().stream().limit(5).map(o -> Audiences.deviceId(o.device())
                        + ":" + o.push().kind().key() + " rank " + o.push().rank() + " id " + o.push().id() + " after rank "
                        + o.after().rank() + " id " + o.after().id()).toList();
        System.out.println("chaos " + what);
        assertThat(c.accepted).as(what).isGreaterThan(0);
        assertThat(new long[]{c.lost, c.duplicates, c.orderViolations}).as("lost, duplicates, order violations: %s", what)
                .containsExactly(0, 0, 0);
    }

    private static FaultStep step(Fault fault) {
        return SCHEDULE.stream().filter(s -> s.fault() == fault).findFirst().orElseThrow();
    }
}
