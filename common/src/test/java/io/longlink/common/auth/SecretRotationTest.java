package io.longlink.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretRotationTest {
    @Test
    void decode_whenEncoded_thenSameRotation() {
        SecretRotation r = new SecretRotation(3, 1_712_345_678_901L);

        assertThat(SecretRotation.decode(r.encode())).isEqualTo(r);
        assertThat(new String(r.encode(), StandardCharsets.UTF_8)).isEqualTo("version=3\nrotated_ms=1712345678901\n");
    }

    @Test
    void next_thenVersionPlusOneAtTheGivenTime() {
        assertThat(new SecretRotation(1, 10).next(20)).isEqualTo(new SecretRotation(2, 20));
    }

    @Test
    void decode_whenFieldMissingOrGarbage_thenRefused() {
        assertThatThrownBy(() -> SecretRotation.decode("version=2\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rotated_ms");
        assertThatThrownBy(() -> SecretRotation.decode("version=x\nrotated_ms=1\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version=x");
        assertThatThrownBy(() -> SecretRotation.decode("version=0\nrotated_ms=1\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
