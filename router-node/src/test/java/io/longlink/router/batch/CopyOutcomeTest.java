package io.longlink.router.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.internal.Outcome;
import org.junit.jupiter.api.Test;

class CopyOutcomeTest {
    @Test
    void of_whenAckedButNotAwaited_thenWrittenBecauseItsInboxEntryCountsTheAck() {
        assertThat(CopyOutcome.of(Outcome.ACKED, true)).isEqualTo(CopyOutcome.ACKED);
        assertThat(CopyOutcome.of(Outcome.ACKED, false)).isEqualTo(CopyOutcome.WRITTEN);
    }

    @Test
    void of_whenUnknownOrUnspecified_thenFailed() {
        assertThat(CopyOutcome.of(Outcome.OUTCOME_UNSPECIFIED, true)).isEqualTo(CopyOutcome.FAILED);
        assertThat(CopyOutcome.of(Outcome.UNRECOGNIZED, false)).isEqualTo(CopyOutcome.FAILED);
        assertThat(CopyOutcome.of(Outcome.STALE_ROUTE, false)).isEqualTo(CopyOutcome.STALE_ROUTE);
    }

    @Test
    void label_whenCounted_thenTheMetricsLabel() {
        assertThat(CopyOutcome.NOT_HERE.label).isEqualTo("not_here");
        assertThat(CopyOutcome.OFFLINE.label).isEqualTo("offline");
        assertThat(CopyOutcome.WRITTEN.online()).isTrue();
        assertThat(CopyOutcome.REJECTED.online()).isFalse();
    }
}
