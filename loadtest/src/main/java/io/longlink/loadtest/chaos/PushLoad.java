package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.api.AliasList;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.TagFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steady push load of a chaos run, one thread per caller, each at its own fixed rate:
 * sequential unicast callers (each owns a share of the devices and waits for an answer before its
 * next push), PushBatch callers (two entries per device, so entry order is exercised), and one caller
 * each for alias, tag, broadcast and TTL 0 pushes. Every push carries a request_id and is retried
 * through {@link Failover} until some api-node accepts it, except, with mixed batches, the second
 * entry of each device in a batch: a batch may mix entries with and without one, and the order of
 * its entries must hold all the same (a whole batch sent again may then push that entry twice, under
 * two ids: the first then counts in unexpected_shown).
 */
final class PushLoad {
    private static final Logger log = LoggerFactory.getLogger("bench");
    static final int BATCH_CALLER_BASE = 100;
    static final int OTHER_CALLER_BASE = 200;
    private static final long PUSH_DEADLINE_MS = 5_000;
    private static final long BATCH_DEADLINE_MS = 10_000;

    /** Pushes per second of each kind; a rate of 0 starts no such caller. */
    record Rates(int unicastCallers, double unicastPerS, int batchCallers, double batchesPerS, int batchSize,
                 boolean mixedBatches, double aliasPerS, double tagPerS, double broadcastsPerMin, double ttl0PerS,
                 int ttlSeconds) {
        Rates {
            if (unicastCallers < 1 || batchCallers < 1 || batchSize < 2 || batchSize % 2 != 0 || ttlSeconds < 1) {
                throw new IllegalArgumentException("callers >= 1, batchSize even >= 2, ttlSeconds >= 1 expected: "
                        + unicastCallers + ", " + batchCallers + ", " + batchSize + ", " + ttlSeconds);
            }
        }
    }

    private final ApiNodes api;
    private final Audiences audiences;
    private final AcceptedPushes accepted;
    private final Rates rates;
    private final long seed;
    private final String runTag;
    private final LongSupplier clock;
    private final Map<String, LongAdder> failures = Failover.newCounts();
    private final AtomicLong abandoned = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;
    private volatile long giveUpAtMs = Long.MAX_VALUE;

    PushLoad(ApiNodes api, Audiences audiences, AcceptedPushes accepted, Rates rates, long seed, LongSupplier clock) {
        this.api = requireNonNull(api, "api");
        this.audiences = requireNonNull(audiences, "audiences");
        this.accepted = requireNonNull(accepted, "accepted");
        this.rates = requireNonNull(rates, "rates");
        this.seed = seed;
        this.clock = requireNonNull(clock, "clock");
        this.runTag = Long.toString(clock.getAsLong(), 36);
    }

    void start() {
        for (int k = 0; k < rates.unicastCallers(); k++) {
            int[] share = audiences.share(k, rates.unicastCallers());
            int caller = k;
            caller("unicast-" + k, rates.unicastPerS() / rates.unicastCallers(), new Sequence(caller),
                    (s, f, r) -> unicast(s, f, caller, share[r.nextInt(share.length)], PushKind.PUSH,
                            rates.ttlSeconds()));
        }
        for (int k = 0; k < rates.batchCallers(); k++) {
            int[] share = audiences.share(k, rates.batchCallers());
            int caller = BATCH_CALLER_BASE + k;
            caller("batch-" + k, rates.batchesPerS() / rates.batchCallers(), new Sequence(caller),
                    (s, f, r) -> batch(s, f, caller, share, r));
        }
        int other = OTHER_CALLER_BASE;
        if (audiences.aliases() > 0) {
            int caller = other;
            caller("alias", rates.aliasPerS(), new Sequence(caller), (s, f, r) -> {
                int a = r.nextInt(audiences.aliases());
                audience(s, f, caller, PushKind.ALIAS, Audience.newBuilder()
                        .setAliases(AliasList.newBuilder().addAliases(Audiences.alias(a))).build(),
                        audiences.aliased(a));
            });
        }
        int tagCaller = other + 1;
        caller("tag", rates.tagPerS(), new Sequence(tagCaller), (s, f, r) -> {
            int t = r.nextInt(audiences.tags());
            audience(s, f, tagCaller, PushKind.TAG, Audience.newBuilder()
                    .setTags(TagFilter.newBuilder().addAnyOf(Audiences.tag(t))).build(), audiences.tagged(t));
        });
        int broadcastCaller = other + 2;
        caller("broadcast", rates.broadcastsPerMin() / 60.0, new Sequence(broadcastCaller), (s, f, r) ->
                audience(s, f, broadcastCaller, PushKind.BROADCAST, Audience.newBuilder().setBroadcast(true).build(),
                        audiences.all()));
        int ttl0Caller = other + 3;
        caller("ttl0", rates.ttl0PerS(), new Sequence(ttl0Caller), (s, f, r) ->
                unicast(s, f, ttl0Caller, r.nextInt(audiences.devices()), PushKind.TTL0, 0));
        threads.forEach(Thread::start);
    }

    /**
     * Stops the callers: each finishes the push it is on, retrying for at most {@code abandonAfterMs}
     * more (then counts it abandoned), and returns.
     */
    void stop(long abandonAfterMs) throws InterruptedException {
        giveUpAtMs = clock.getAsLong() + abandonAfterMs;
        stopping = true;
        for (Thread t : threads) {
            t.join(abandonAfterMs + 20_000);
            if (t.isAlive()) {
                log.warn("load caller {} still running; interrupting it", t.getName());
                t.interrupt();
            }
        }
    }

    long abandoned() {
        return abandoned.get();
    }

    Map<String, Long> failures() {
        return Failover.snapshot(failures);
    }

    private void caller(String name, double perSecond, Sequence seq, Step step) {
        if (perSecond <= 0) {
            return;
        }
        Random random = new Random(seed * 31 + name.hashCode());
        Failover failover = new Failover(api.size(), threads.size(), failures);
        threads.add(Thread.ofPlatform().name("chaos-" + name).daemon().unstarted(() -> {
            long interval = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
            long next = System.nanoTime();
            try {
                while (!stopping) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                        continue;
                    }
                    step.push(seq, failover, random);
                    // a caller held up by retries resumes its pace instead of catching up in a burst
                    next = Math.max(next + interval, System.nanoTime() - interval);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("load caller {} stopped: {}", name, e.toString(), e);
            }
        }));
    }

    private BooleanSupplier giveUp() {
        return () -> stopping && clock.getAsLong() >= giveUpAtMs;
    }

    private PushRequest request(Audience audience, PushKind kind, int caller, long seq, int ttl) {
        return request(audience, kind, caller, seq, ttl, true);
    }

    private PushRequest request(Audience audience, PushKind kind, int caller, long seq, int ttl,
                                boolean withRequestId) {
        PushRequest.Builder b = PushRequest.newBuilder().setAudience(audience)
                .setPayload(new Probe(kind, caller, seq).encode())
                .setTtlSeconds(ttl);
        if (withRequestId) {
            b.setRequestId("c" + runTag + "-" + caller + "-" + seq);
        }
        return b.build();
    }

    private void unicast(Sequence s, Failover f, int caller, int device, PushKind kind, int ttl)
            throws InterruptedException {
        PushRequest req = request(devices(device), kind, caller, s.next(), ttl);
        PushResponse r = f.call(n -> api.push(n).withDeadlineAfter(PUSH_DEADLINE_MS, TimeUnit.MILLISECONDS).push(req),
                giveUp());
        if (r == null) {
            abandoned.incrementAndGet();
            return;
        }
        accepted.add(new Accepted(r.getMessageId(), kind, ttl, clock.getAsLong(), caller, s.rank(), new int[]{device}));
    }

    private void audience(Sequence s, Failover f, int caller, PushKind kind, Audience audience, int[] targets)
            throws InterruptedException {
        PushRequest req = request(audience, kind, caller, s.next(), rates.ttlSeconds());
        PushResponse r = f.call(n -> api.push(n).withDeadlineAfter(PUSH_DEADLINE_MS, TimeUnit.MILLISECONDS).push(req),
                giveUp());
        if (r == null) {
            abandoned.incrementAndGet();
            return;
        }
        accepted.add(new Accepted(r.getMessageId(), kind, rates.ttlSeconds(), clock.getAsLong(), caller, s.rank(),
                targets));
    }

    /** Two entries for each of batchSize / 2 devices; entries refused with a retryable code go again. */
    private void batch(Sequence s, Failover f, int caller, int[] share, Random r) throws InterruptedException {
        List<PushRequest> pending = new ArrayList<>();
        List<Integer> pendingDevices = new ArrayList<>();
        int first = r.nextInt(share.length);
        int devices = Math.min(share.length, rates.batchSize() / 2);
        for (int i = 0; i < devices; i++) {
            int device = share[(first + i) % share.length];
            for (int e = 0; e < 2; e++) {
                boolean withRequestId = e == 0 || !rates.mixedBatches();
                pending.add(request(devices(device), PushKind.BATCH, caller, s.next(), rates.ttlSeconds(),
                        withRequestId));
                pendingDevices.add(device);
            }
        }
        while (!pending.isEmpty()) {
            PushBatchRequest req = PushBatchRequest.newBuilder().addAllPushes(pending).build();
            PushBatchResponse resp = f.call(n -> api.push(n)
                    .withDeadlineAfter(BATCH_DEADLINE_MS, TimeUnit.MILLISECONDS).pushBatch(req), giveUp());
            if (resp == null) {
                abandoned.addAndGet(pending.size());
                return;
            }
            List<PushRequest> again = new ArrayList<>();
            List<Integer> againDevices = new ArrayList<>();
            boolean unavailable = false;
            for (int i = 0; i < pending.size(); i++) {
                PushResult result = resp.getResults(i);
                if (result.hasError()) {
                    int code = result.getError().getCode();
                    failures.computeIfAbsent("entry_" + io.grpc.Status.fromCodeValue(code).getCode().name()
                            .toLowerCase(java.util.Locale.ROOT), k -> new LongAdder()).increment();
                    if (code == io.grpc.Status.Code.INVALID_ARGUMENT.value()) {
                        throw new IllegalStateException("batch entry refused: " + result.getError().getMessage());
                    }
                    unavailable |= code == io.grpc.Status.Code.UNAVAILABLE.value();
                    again.add(pending.get(i));
                    againDevices.add(pendingDevices.get(i));
                } else {
                    accepted.add(new Accepted(result.getMessageId(), PushKind.BATCH, rates.ttlSeconds(),
                            clock.getAsLong(), caller, s.rank(), new int[]{pendingDevices.get(i)}));
                }
            }
            if (unavailable) {
                f.switchNode();
            }
            pending = again;
            pendingDevices = againDevices;
            if (!pending.isEmpty()) {
                if (giveUp().getAsBoolean()) {
                    abandoned.addAndGet(pending.size());
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private static Audience devices(int device) {
        return Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(Audiences.deviceId(device)))
                .build();
    }

    /** One caller's sequence numbers (one per push sent) and acceptance ranks (one per push accepted). */
    private static final class Sequence {
        private final int caller;
        private long seq;
        private long rank;

        Sequence(int caller) {
            this.caller = caller;
        }

        long next() {
            return ++seq;
        }

        long rank() {
            return ++rank;
        }

        @Override
        public String toString() {
            return "caller " + caller + " seq " + seq;
        }
    }

    @FunctionalInterface
    private interface Step {
        void push(Sequence seq, Failover failover, Random random) throws InterruptedException;
    }
}
