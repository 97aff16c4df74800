package io.longlink.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.lettuce.core.RedisCommandTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class StatusMapperTest {
    @Test
    void toStatus_whenApiExceptionWrapped_thenItsCodeAndMessage() {
        Status s = StatusMapper.toStatus(new CompletionException(new ExecutionException(
                ApiException.invalid("payload", "5000 bytes", "at most 4096"))));

        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("payload: 5000 bytes (expected: at most 4096)");
    }

    @Test
    void toStatus_whenKafkaTimesOut_thenUnavailableNamingKafka() {
        Status s = StatusMapper.toStatus(new TimeoutException("Topic t not present in metadata after 2000 ms."));

        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription()).startsWith("kafka: Topic t not present");
    }

    @Test
    void toStatus_whenKafkaRetriable_thenUnavailable() {
        assertThat(StatusMapper.toStatus(new NotEnoughReplicasException("isr")).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void toStatus_whenRedisTimesOut_thenUnavailableNamingRedis() {
        Status s = StatusMapper.toStatus(new RedisCommandTimeoutException("Command timed out after 5 second(s)"));

        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription()).startsWith("redis: ");
    }

    @Test
    void toStatus_whenUnexpected_thenInternalWithoutDetails() {
        Status s = StatusMapper.toStatus(new IllegalStateException("secret-bearing detail"));

        assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(s.getDescription()).doesNotContain("secret-bearing").contains("IllegalStateException");
    }
}
