package io.longlink.common.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void verify_whenSameTokenSpelledAnotherWay_thenBad() {
        String token = DeviceToken.mint("s3cret", "app1", "dev-1", NOW + 60);
        String signature = token.substring(token.lastIndexOf('.') + 1);
        char last = signature.charAt(signature.length() - 1);
        // 32 signature bytes take 43 base64 characters: the last one has 2 bits no byte uses
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char lowBitsSet = alphabet.charAt(alphabet.indexOf(last) | 1);
        String head = token.substring(0, token.length() - 1);
        for (String spelling : new String[] {
                token + "=", token + "==",
                lowBitsSet == last ? head + alphabet.charAt(alphabet.indexOf(last) ^ 2) : head + lowBitsSet,
                token.replace("v1." + (NOW + 60), "v1.0" + (NOW + 60)),
                token.replace("v1." + (NOW + 60), "v1.+" + (NOW + 60))}) {
            assertThat(DeviceToken.verify(spelling, "s3cret", "app1", "dev-1", NOW)).as(spelling)
                    .isEqualTo(DeviceToken.Verdict.BAD);
        }
    }

    @Test
    void verify_whenSecretEmpty_thenBad_andMintRefuses() {
        assertThat(DeviceToken.verify("v1.1.abc", "", "app1", "dev-1", NOW)).isEqualTo(DeviceToken.Verdict.BAD);
        assertThatThrownBy(() -> DeviceToken.mint("", "app1", "dev-1", NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret: empty");
    }
}
