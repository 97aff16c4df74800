package io.longlink.router.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VerdictTest {
    @Test
    void of_whenKeyEmptyHeldABodyOrTheTombstone_thenFirstRoutingAgainOrRevoked() {
        assertThat(Verdict.of(null)).isEqualTo(Verdict.FIRST_ROUTING);
        assertThat(Verdict.of(new byte[] {8, 1})).isEqualTo(Verdict.ROUTED_AGAIN);
        assertThat(Verdict.of(new byte[0])).isEqualTo(Verdict.REVOKED);
        assertThat(Verdict.REVOKED.accepted()).isFalse();
        assertThat(Verdict.ROUTED_AGAIN.accepted()).isTrue();
    }
}
