package io.longlink.api.apps;

import static io.longlink.api.StoreTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.api.StoreTesting;
import io.longlink.api.apps.AppStore.QuotaChange;
import io.longlink.api.quota.Quota;
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

        assertThat(await(apps.app(appKey))).map(App::secret).contains("s3cret");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("my shop");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " created_ms")).isEqualTo("1700000000000");
    }

    @Test
    void create_whenKeyTaken_thenFalseAndTheAppUntouched() throws Exception {
        await(apps.create(appKey, "first", "first app", 1L));

        assertThat(await(apps.create(appKey, "second", "second app", 2L))).isFalse();

        assertThat(await(apps.app(appKey))).map(App::secret).contains("first");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("first app");
    }

    @Test
    void rotate_whenAppExists_thenOnlyTheSecretReplaced() throws Exception {
        await(apps.create(appKey, "old", "rotating", 1L));

        assertThat(await(apps.rotate(appKey, "new"))).isTrue();

        assertThat(await(apps.app(appKey))).map(App::secret).contains("new");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " name")).isEqualTo("rotating");
    }

    @Test
    void rotate_whenNoSuchApp_thenFalseAndNoAppCreated() throws Exception {
        assertThat(await(apps.rotate(appKey, "new"))).isFalse();

        assertThat(await(apps.app(appKey))).isEmpty();
        assertThat(redis.command("EXISTS " + RedisKeys.app(appKey))).isEqualTo(":0");
    }

    @Test
    void app_whenNoQuotaSet_thenEveryQuotaZero() throws Exception {
        await(apps.create(appKey, "s", "plain", 1L));

        assertThat(await(apps.app(appKey))).map(App::quota).contains(Quota.NONE);
    }

    @Test
    void setQuota_thenGivenValuesStoredOthersKeptAndZeroGivesBackTheDefault() throws Exception {
        await(apps.create(appKey, "s", "limited", 1L));
        assertThat(await(apps.setQuota(appKey, new QuotaChange(500, 5, null)))).isTrue();

        assertThat(await(apps.setQuota(appKey, new QuotaChange(0, null, 200)))).isTrue();

        assertThat(await(apps.app(appKey))).map(App::quota).contains(new Quota(0, 5, 200));
        assertThat(redis.command("HEXISTS " + RedisKeys.app(appKey) + " quota_pushes_per_s")).isEqualTo(":0");
        assertThat(redis.command("HGET " + RedisKeys.app(appKey) + " quota_fanouts_per_s")).isEqualTo("5");
        assertThat(await(apps.app(appKey))).map(App::secret).contains("s");
    }

    @Test
    void setQuota_whenNoSuchApp_thenFalseAndNoAppCreated() throws Exception {
        assertThat(await(apps.setQuota(appKey, new QuotaChange(10, 1, 1)))).isFalse();

        assertThat(redis.command("EXISTS " + RedisKeys.app(appKey))).isEqualTo(":0");
    }

    @Test
    void app_whenAStoredQuotaIsNotAPositiveNumber_thenThatQuotaIsTheDefault() throws Exception {
        await(apps.create(appKey, "s", "garbled", 1L));
        redis.command("HSET " + RedisKeys.app(appKey) + " quota_pushes_per_s x quota_fanouts_per_s -3"
                + " quota_devices_per_call 7");

        assertThat(await(apps.app(appKey))).map(App::quota).contains(new Quota(0, 0, 7));
    }
}
