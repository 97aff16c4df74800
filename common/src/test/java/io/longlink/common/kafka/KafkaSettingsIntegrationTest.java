package io.longlink.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class KafkaSettingsIntegrationTest {

    @Test
    void checkReachable_whenKafkaServes_thenPasses(KafkaCluster kafka) {
        assertThatCode(() -> KafkaSettings.checkReachable(kafka.bootstrapServers(), 10_000)).doesNotThrowAnyException();
    }

    @Test
    void checkReachable_whenNothingListens_thenFailsWithinTimeoutNamingTheAddress() {
        String dead = "127.0.0.1:" + FreePorts.next();
        long started = System.nanoTime();
        assertThatThrownBy(() -> KafkaSettings.checkReachable(dead, 1_500))
                .hasMessageContaining("Kafka at " + dead + " did not answer within 1500 ms (kafka.bootstrap-servers)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }
}
