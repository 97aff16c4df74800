package io.longlink.api.push;

import static io.longlink.api.StoreTesting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.longlink.api.StoreTesting;
import io.longlink.api.push.RequestIdReservations.Reservation;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.RedisKeys;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RequestIdReservationsIntegrationTest {
    private static final long TTL_MS = 60_000;
    private static final long TAKEOVER_MS = 30_000;

    @RegisterExtension
    final StoreTesting redis = new StoreTesting();
    private final String app = "app-" + UUID.randomUUID();
    private RequestIdReservations reservations;

    @BeforeEach
    void open() {
        reservations = new RequestIdReservations(redis.connect(), TTL_MS, TAKEOVER_MS);
    }

    @AfterEach
    void close() {
        reservations.close();
    }

    private static long newId() {
        return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    }

    private static long in(long seconds) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    private CompletableFuture<Reservation> reserve(String requestId, long candidate, long deadlineNanos) {
        return reservations.reserve(app, requestId, candidate, deadlineNanos).toCompletableFuture();
    }

    /** The id a first caller reserved {@code requestId} for. */
    private long held(String requestId) throws Exception {
        long id = newId();
        assertThat(await(reserve(requestId, id, in(5))).holder()).isEqualTo(Reservation.Holder.NONE);
        return id;
    }

    private void accept(long id) {
        redis.command("HSET " + RedisKeys.stat(id) + " " + RedisKeys.STAT_ACCEPTED_MS + " 2000");
    }

    @Test
    void reserve_whenFirstUse_thenTheCandidateIsReservedForTheTtl() throws Exception {
        long id = newId();

        Reservation r = await(reserve("order-7", id, in(5)));

        assertThat(r).isEqualTo(new Reservation(id, Reservation.Holder.NONE));
        String key = RedisKeys.request(app, "order-7");
        assertThat(redis.command("GET " + key)).isEqualTo(Long.toUnsignedString(id));
        assertThat(Long.parseLong(redis.command("PTTL " + key).substring(1))).isBetween(1L, TTL_MS);
    }

    @Test
    void reserve_whenHeldByAnAcceptedPush_thenItsIdToAnswer() throws Exception {
        long earlier = held("order-9");
        accept(earlier);

        Reservation r = await(reserve("order-9", newId(), in(5)));

        assertThat(r).isEqualTo(new Reservation(earlier, Reservation.Holder.ACCEPTED));
    }

    @Test
    void reserve_whileItsHolderWaitsForKafka_thenWaitsWithoutProducingAndAnswersItsIdOnceAccepted() throws Exception {
        long earlier = held("order-10");

        CompletableFuture<Reservation> waiting = reserve("order-10", newId(), in(20));
        accept(earlier);

        // neither reserved anew nor taken over: the holder's push is answered
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(new Reservation(earlier, Reservation.Holder.ACCEPTED));
    }

    @Test
    void reserve_whenTheHolderReleasesAfterKafkaRefusedIt_thenAWaiterTakesItOverUnderTheSameId() throws Exception {
        long earlier = held("order-11");
        CompletableFuture<Reservation> waiting = reserve("order-11", newId(), in(20));

        assertThat(await(reservations.release(app, "order-11", earlier))).isTrue();

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(new Reservation(earlier, Reservation.Holder.TAKEN_OVER));
        String key = RedisKeys.request(app, "order-11");
        assertThat(redis.command("GET " + key)).as("the taker's reservation now").isEqualTo(Long.toUnsignedString(earlier));
        assertThat(Long.parseLong(redis.command("PTTL " + key).substring(1))).isGreaterThan(TTL_MS - 5_000);
        // and a third caller waits for the taker, rather than taking it over too
        CompletableFuture<Reservation> third = reserve("order-11", newId(), in(20));
        accept(earlier);
        assertThat(third.get(5, TimeUnit.SECONDS).holder()).isEqualTo(Reservation.Holder.ACCEPTED);
    }

    @Test
    void reserve_whenHeldLongerThanTheTakeoverAgeWithoutAcceptance_thenTakenOverUnderItsId() throws Exception {
        long earlier = newId();
        // reserved 40 s ago by an api-node that died before Kafka answered
        redis.command("SET " + RedisKeys.request(app, "order-8") + " " + Long.toUnsignedString(earlier) + " PX "
                + (TTL_MS - 40_000));

        Reservation r = await(reserve("order-8", newId(), in(5)));

        assertThat(r).isEqualTo(new Reservation(earlier, Reservation.Holder.TAKEN_OVER));
    }

    @Test
    void reserve_whenTheFirstReservationTimedOutButRedisRanItLater_thenTheRetryTakesItOverAtOnce() throws Exception {
        RequestIdReservations impatient = new RequestIdReservations(redis.connect(300), TTL_MS, TAKEOVER_MS);
        String key = RedisKeys.request(app, "order-13");
        long first = newId();
        try {
            // a stalled Redis: the SET times out for the caller, then runs once Redis moves again
            redis.command("CLIENT PAUSE 1500 WRITE");
            CompletableFuture<Reservation> timedOut = impatient.reserve(app, "order-13", first, in(5))
                    .toCompletableFuture();
            assertThatThrownBy(() -> timedOut.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !redis.command("GET " + key).equals("$-1"));

            // the retry (same request_id, a new candidate) must not wait out the takeover age
            Reservation retry = reserve("order-13", newId(), in(20)).get(5, TimeUnit.SECONDS);

            assertThat(retry).isEqualTo(new Reservation(first, Reservation.Holder.TAKEN_OVER));
        } finally {
            redis.command("CLIENT UNPAUSE");
            impatient.close();
        }
    }

    @Test
    void reserve_whenStillUnacceptedAtTheDeadline_thenUnavailableSayingToRetry() throws Exception {
        long earlier = held("order-12");

        CompletableFuture<Reservation> waiting = reserve("order-12", newId(), System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(200));

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(Refusal.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("still being accepted").contains("retry with the same request_id");
                });
        assertThat(redis.command("GET " + RedisKeys.request(app, "order-12"))).isEqualTo(Long.toUnsignedString(earlier));
    }

    @Test
    void release_whenTheReservationIsAnotherPushsNow_thenLeftAlone() throws Exception {
        long holder = held("order-13");

        assertThat(await(reservations.release(app, "order-13", newId()))).isFalse();

        assertThat(redis.command("GET " + RedisKeys.request(app, "order-13"))).isEqualTo(Long.toUnsignedString(holder));
    }
}
