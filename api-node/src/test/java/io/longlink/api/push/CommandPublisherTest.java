package io.longlink.api.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.proto.command.PushCommand;
import io.longlink.testsupport.FreePorts;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** A producer whose broker never answers: it must refuse at once, not wait for the broker on the caller's thread. */
class CommandPublisherTest {
    @AutoClose
    private final CommandPublisher publisher = new CommandPublisher("127.0.0.1:" + FreePorts.next(), "commands",
            10_000, 5, "publisher-test");

    @Test
    void send_whenTheTopicsMetadataIsMissing_thenTheCallbackFailsBeforeSendReturns() {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicReference<Thread> calledOn = new AtomicReference<>();
        long started = System.nanoTime();

        publisher.send("app:d-1", PushCommand.getDefaultInstance(), (metadata, e) -> {
            failure.set(e);
            calledOn.set(Thread.currentThread());
        });

        assertThat(failure.get()).isInstanceOf(TimeoutException.class).hasMessageContaining("commands");
        assertThat(calledOn.get()).isSameAs(Thread.currentThread());
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void awaitMetadata_whenNoBrokerAnswers_thenFailsAfterTheTimeoutNamingTheTopic() {
        assertThatThrownBy(() -> publisher.awaitMetadata(300)).isInstanceOf(IllegalStateException.class)
                .hasMessage("kafka.command-topic: no metadata for 'commands' within 300 ms (expected: an existing topic,"
                        + " or a broker that creates it)");
    }
}
