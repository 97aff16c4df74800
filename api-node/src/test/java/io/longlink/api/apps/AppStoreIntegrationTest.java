package io.longlink.api.apps;

import static io.longlink.api.StoreTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.api.StoreTesting;
import io.longlink.common.redis.RedisKeys;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AppStoreIntegrationTest {
    @RegisterExtension
    final StoreTesting redis = new StoreTesting();
    private final String appKey = "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 15);
    private AppStore apps;

    @BeforeEach
    void open() {
        apps = new AppStore(redis.connect());
    }

    @Test
    void create_whenKeyFree_thenSecretNameAndCreationTimeStored() throws Exception {
        assertThat(await(apps.create(appKey, "s3cret", "my shop", 1_700_000_000_000L))).isTrue();

        assertThat(await(apps.secret(appKey))).isEqualTo("s3cret");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("my shop");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " created_ms")).isEqualTo("1700000000000");
    }

    @Test
    void create_whenKeyTaken_thenFalseAndTheAppUntouched() throws Exception {
        await(apps.create(appKey, "first", "first app", 1L));

        assertThat(await(apps.create(appKey, "second", "second app", 2L))).isFalse();

        assertThat(await(apps.secret(appKey))).isEqualTo("first");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("first app");
    }

    @Test
    void rotate_whenAppExists_thenOnlyTheSecretReplaced() throws Exception {
        await(apps.create(appKey, "old", "rotating", 1L));

        assertThat(await(apps.rotate(appKey, "new"))).isTrue();

        assertThat(await(apps.secret(appKey))).isEqualTo("new");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("rotating");
    }

    @Test
    void rotate_whenNoSuchApp_thenFalseAndNoAppCreated() throws Exception {
        assertThat(await(apps.rotate(appKey, "new"))).isFalse();

        assertThat(await(apps.secret(appKey))).isNull();
        assertThat(redis.command("EXISTS " + RedisKeys.app(appKey))).isEqualTo(":0");
    }
}
