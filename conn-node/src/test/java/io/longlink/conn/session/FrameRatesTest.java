package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class FrameRatesTest {
    /** 1 s ticks: 50 frames and 2,000 ACK ids per second, bursts of 100 and 4,000. */
    private final FrameRates rates = new FrameRates(50, 2_000, 1_000);
    private final Session s = new Session(new EmbeddedChannel());

    @Test
    void exceeded_whenBurstOfTwiceTheRate_thenAllowedAndTheNextFrameRefused() {
        for (int i = 0; i < 100; i++) {
            assertThat(rates.exceeded(s, 0, 0)).as("frame %d", i).isNull();
        }
        assertThat(rates.exceeded(s, 0, 0)).isEqualTo("more than 50 frames per second (bursts of 100)");
    }

    @Test
    void exceeded_whenSustainedAtTheRate_thenNeverRefused() {
        for (int second = 0; second < 100; second++) {
            for (int i = 0; i < 50; i++) {
                assertThat(rates.exceeded(s, i == 0 ? 1 : 0, 40)).isNull();
            }
        }
    }

    @Test
    void exceeded_whenAckIdsOverTheirBurst_thenRefusedEvenWithFewFrames() {
        assertThat(rates.exceeded(s, 0, 2_500)).isNull();
        assertThat(rates.exceeded(s, 0, 1_500)).isNull();
        assertThat(rates.exceeded(s, 0, 1)).isEqualTo("more than 2000 ACK ids per second (bursts of 4000)");
    }

    @Test
    void exceeded_whenQuietForAWhile_thenTheBucketsEmptied() {
        for (int i = 0; i < 100; i++) {
            rates.exceeded(s, 0, 40);
        }
        assertThat(rates.exceeded(s, 2, 4_000)).isNull(); // two seconds leaked 100 frames and 4,000 ids
    }

    @Test
    void exceeded_whenLimitsOff_thenNeverRefusedAndLevelsStayInTheirBits() {
        FrameRates off = new FrameRates(0, 0, 1_000);
        for (int i = 0; i < 20_000; i++) {
            assertThat(off.exceeded(s, 0, 100_000)).isNull();
        }
        assertThat(s.rates).isNotZero();
    }
}
