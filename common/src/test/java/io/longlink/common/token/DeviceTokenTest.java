package io.longlink.common.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceTokenTest {
    private static final long NOW = 1_800_000_000L;

    @Test
    void verify_whenMintedWithSameSecret_thenValid() {
        String token = DeviceToken.mint("s3cret", "app1", "dev-1", NOW + 60);
        assertThat(token).startsWith("v1." + (NOW + 60) + ".");
        assertThat(DeviceToken.verify(token, "s3cret", "app1", "dev-1", NOW)).isEqualTo(DeviceToken.Verdict.VALID);
    }

    @Test
    void verify_whenAnyInputDiffers_thenBad() {
        String token = DeviceToken.mint("s3cret", "app1", "dev-1", NOW + 60);
        assertThat(DeviceToken.verify(token, "other", "app1", "dev-1", NOW)).isEqualTo(DeviceToken.Verdict.BAD);
        assertThat(DeviceToken.verify(token, "s3cret", "app2", "dev-1", NOW)).isEqualTo(DeviceToken.Verdict.BAD);
        assertThat(DeviceToken.verify(token, "s3cret", "app1", "dev-2", NOW)).isEqualTo(DeviceToken.Verdict.BAD);
        String longerExpiry = token.replace("v1." + (NOW + 60), "v1." + (NOW + 6000));
        assertThat(DeviceToken.verify(longerExpiry, "s3cret", "app1", "dev-1", NOW)).isEqualTo(DeviceToken.Verdict.BAD);
    }

    @Test
    void verify_whenExpired_thenExpired() {
        String token = DeviceToken.mint("s3cret", "app1", "dev-1", NOW - 1);
        assertThat(DeviceToken.verify(token, "s3cret", "app1", "dev-1", NOW)).isEqualTo(DeviceToken.Verdict.EXPIRED);
    }

    @Test
    void verify_whenGarbage_thenBad() {
        for (String garbage : new String[] {"", "v1", "v1..", "v2.1.abc", "v1.x.abc", "v1.1.!!!", "v1.1", null}) {
            assertThat(DeviceToken.verify(garbage, "s3cret", "app1", "dev-1", NOW)).as(String.valueOf(garbage))
                    .isEqualTo(DeviceToken.Verdict.BAD);
        }
    }
}
