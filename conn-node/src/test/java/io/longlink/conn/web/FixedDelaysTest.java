package io.longlink.conn.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FixedDelaysTest {
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    private final FixedDelays delays = new FixedDelays(loops, 100, System::nanoTime);
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void add_whenManyOnOneLoop_thenEachRunsNoEarlierThanTheDelayInTheOrderAdded() {
        EventExecutor loop = loops.next();
        long[] addedAt = new long[3];
        long[] ranAt = new long[3];
        loop.execute(() -> {
            for (int i = 0; i < 3; i++) {
                int n = i;
                addedAt[n] = System.nanoTime();
                delays.add(loop, () -> {
                    ranAt[n] = System.nanoTime();
                    ran.add("a" + n);
                });
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("a0", "a1", "a2");
        for (int i = 0; i < 3; i++) {
            assertThat(ranAt[i] - addedAt[i]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void add_whenAddedAgainAfterTheQueueEmptied_thenRunsAgain() {
        EventExecutor loop = loops.next();
        loop.execute(() -> delays.add(loop, () -> ran.add("first")));
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 1);
        loop.execute(() -> delays.add(loop, () -> ran.add("second")));
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void add_whenAnActionFails_thenTheNextStillRun() {
        EventExecutor loop = loops.next();
        loop.execute(() -> {
            delays.add(loop, () -> {
                throw new IllegalStateException("broken");
            });
            delays.add(loop, () -> ran.add("after"));
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.contains("after"));
    }

    @Test
    void add_whenLoopOfAnotherGroup_thenRefused() {
        DefaultEventLoop other = new DefaultEventLoop();
        try {
            assertThatThrownBy(() -> delays.add(other, () -> { })).isInstanceOf(IllegalArgumentException.class);
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
