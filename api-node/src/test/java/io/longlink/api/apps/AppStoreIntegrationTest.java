package io.longlink.api.apps;

import static io.longlink.api.StoreTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.api.StoreTesting;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class AppStoreIntegrationTest {
    private final String appKey = "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 15);
    private RedisServer server;
    @AutoClose
    private RedisStore redis;
    private AppStore apps;

    @BeforeEach
    void open(RedisServer server) {
        this.server = server;
        redis = StoreTesting.connect(server);
        apps = new AppStore(redis);
    }

    @Test
    void create_whenKeyFree_thenSecretNameAndCreationTimeStored() throws Exception {
        assertThat(await(apps.create(appKey, "s3cret", "my shop", 1_700_000_000_000L))).isTrue();

        assertThat(await(apps.secret(appKey))).isEqualTo("s3cret");
        assertThat(server.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("my shop");
        assertThat(server.command("HGET " + RedisKeys.app(appKey) + " created_ms")).isEqualTo("1700000000000");
    }

    @Test
    void create_whenKeyTaken_thenFalseAndTheAppUntouched() throws Exception {
        await(apps.create(appKey, "first", "first app", 1L));

        assertThat(await(apps.create(appKey, "second", "second app", 2L))).isFalse();

        assertThat(await(apps.secret(appKey))).isEqualTo("first");
        assertThat(server.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("first app");
    }

    @Test
    void rotate_whenAppExists_thenOnlyTheSecretReplaced() throws Exception {
        await(apps.create(appKey, "old", "rotating", 1L));

        assertThat(await(apps.rotate(appKey, "new"))).isTrue();

        assertThat(await(apps.secret(appKey))).isEqualTo("new");
        assertThat(server.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("rotating");
    }

    @Test
    void rotate_whenNoSuchApp_thenFalseAndNoAppCreated() throws Exception {
        assertThat(await(apps.rotate(appKey, "new"))).isFalse();

        assertThat(await(apps.secret(appKey))).isNull();
        assertThat(server.command("EXISTS " + RedisKeys.app(appKey))).isEqualTo(":0");
    }
}
