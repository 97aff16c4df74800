package io.longlink.common.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A token from outside, checked against an app's secret and a device: whatever the text, verify
 * answers BAD, EXPIRED or VALID without throwing, and VALID or EXPIRED only for the one spelling
 * {@link DeviceToken#mint} writes. {@code mvn test} replays {@code DeviceTokenFuzzTestInputs};
 * {@code ops/fuzz} fuzzes.
 */
public class DeviceTokenFuzzTest {
    private static final long NOW = 1_800_000_000L;

    @FuzzTest(maxDuration = "20s")
    void verify_whateverTheToken_thenOnlyTheMintedSpellingPasses(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        String secret = data.consumeString(40);
        String app = data.consumeString(16);
        String device = data.consumeString(16);
        long expiry = data.consumeLong();
        if (secret.isEmpty()) {
            // an app always has a secret; a store that lost it must not make verify throw
            assertThat(DeviceToken.verify(data.consumeRemainingAsString(), secret, app, device, NOW))
                    .isEqualTo(DeviceToken.Verdict.BAD);
            return;
        }
        String minted = DeviceToken.mint(secret, app, device, expiry);
        // half the time a token near the minted one, else any text
        String token = data.consumeBoolean() ? mutate(minted, data) : data.consumeRemainingAsString();
        DeviceToken.Verdict verdict = DeviceToken.verify(token, secret, app, device, NOW);
        if (verdict != DeviceToken.Verdict.BAD) {
            assertThat(token).isEqualTo(minted);
            assertThat(verdict).isEqualTo(expiry < NOW ? DeviceToken.Verdict.EXPIRED : DeviceToken.Verdict.VALID);
        }
        assertThat(DeviceToken.verify(minted, secret, app, device, NOW)).isNotEqualTo(DeviceToken.Verdict.BAD);
    }

    private static String mutate(String token, FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder(token);
        int edits = data.consumeInt(0, 3);
        for (int i = 0; i < edits && !sb.isEmpty(); i++) {
            int at = data.consumeInt(0, sb.length() - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> sb.setCharAt(at, data.consumeChar());
                case 1 -> sb.insert(at, data.consumeChar());
                default -> sb.deleteCharAt(at);
            }
        }
        return sb.toString();
    }
}
