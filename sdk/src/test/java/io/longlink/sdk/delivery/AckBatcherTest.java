package io.longlink.sdk.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AckBatcherTest {

    @Test
    void add_whenFirstIdOfBatch_thenScheduleOneFlushOnly() {
        AckBatcher batcher = new AckBatcher(4);
        assertThat(batcher.add(1)).isEqualTo(AckBatcher.Next.SCHEDULE_FLUSH);
        assertThat(batcher.add(2)).isEqualTo(AckBatcher.Next.NOTHING);
        batcher.flushRan();
        assertThat(batcher.drain().getMessageIdsList()).containsExactly(1L, 2L);
        assertThat(batcher.add(3)).isEqualTo(AckBatcher.Next.SCHEDULE_FLUSH);
    }

    @Test
    void add_whenBatchFull_thenFlushNowWithAllIdsInOneAck() {
        AckBatcher batcher = new AckBatcher(3);
        batcher.add(7);
        batcher.add(8);
        assertThat(batcher.add(9)).isEqualTo(AckBatcher.Next.FLUSH_NOW);
        assertThat(batcher.drain().getMessageIdsList()).containsExactly(7L, 8L, 9L);
        assertThat(batcher.drain()).isNull();
        assertThat(batcher.add(10)).as("flush still scheduled from the first id").isEqualTo(AckBatcher.Next.NOTHING);
    }

    @Test
    void add_whenFullAndNotDrained_thenClearError() {
        AckBatcher batcher = new AckBatcher(1);
        assertThat(batcher.add(1)).isEqualTo(AckBatcher.Next.FLUSH_NOW);
        assertThatThrownBy(() -> batcher.add(2)).isInstanceOf(IllegalStateException.class);
        assertThat(batcher.pending()).isEqualTo(1);
    }
}
