package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.common.auth.SecretRotation;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.RotateSecretRequest;
import io.longlink.proto.api.RotateSecretResponse;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RotateSecret's ZooKeeper side: the app's secret version that conn-nodes watch, {@code /apps/{appKey}}. */
@ExtendWith(Infra.class)
class SecretRotationIntegrationTest {
    private static ApiHarness api;

    @BeforeAll
    static void setUp(RedisServer redis, TestingServer zk, KafkaCluster kafka) throws Exception {
        api = new ApiHarness(redis, zk, kafka, Map.of());
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private static RotateSecretRequest rotate(CreateAppResponse app) {
        return RotateSecretRequest.newBuilder().setAppKey(app.getAppKey()).build();
    }

    private static SecretRotation stored(ApiHarness node, String appKey) throws Exception {
        return SecretRotation.decode(node.zk.getData().forPath(ZooKeeperPaths.app(appKey)));
    }

    @Test
    void rotateSecret_thenTheAppsSecretVersionAndRotationTimeAreInZooKeeper() throws Exception {
        CreateAppResponse app = api.createApp("rotation-version");
        assertThat(api.zk.checkExists().forPath(ZooKeeperPaths.app(app.getAppKey()))).isNull();
        long before = System.currentTimeMillis();

        api.admin().rotateSecret(rotate(app));
        SecretRotation first = stored(api, app.getAppKey());
        api.admin().rotateSecret(rotate(app));

        assertThat(first.version()).isEqualTo(1);
        assertThat(first.rotatedMs()).isBetween(before, System.currentTimeMillis());
        SecretRotation second = stored(api, app.getAppKey());
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.rotatedMs()).isGreaterThanOrEqualTo(first.rotatedMs());
    }

    @Test
    void rotateSecret_whenConcurrentOnTwoApiNodes_thenEveryRotationGetsItsOwnVersion() throws Exception {
        CreateAppResponse app = api.createApp("rotation-race");
        try (ApiHarness other = api.peer(Map.of())) {
            List<ListenableFuture<RotateSecretResponse>> calls = new ArrayList<>();
            for (ApiHarness node : List.of(api, other, api, other, api, other)) {
                calls.add(ApiHarness.asAdmin(AppAdminServiceGrpc.newFutureStub(node.channel), ApiHarness.ADMIN_TOKEN)
                        .rotateSecret(rotate(app)));
            }
            Set<String> secrets = new HashSet<>();
            for (ListenableFuture<RotateSecretResponse> call : calls) {
                secrets.add(call.get(30, TimeUnit.SECONDS).getSecret());
            }

            assertThat(secrets).hasSize(6);
            assertThat(stored(other, app.getAppKey()).version()).isEqualTo(6);
        }
    }

    @Test
    void rotateSecret_whenTheStoredVersionIsUnreadable_thenTheNextIsOne() throws Exception {
        CreateAppResponse app = api.createApp("rotation-garbled");
        api.zk.create().creatingParentsIfNeeded().forPath(ZooKeeperPaths.app(app.getAppKey()),
                "garbage".getBytes(StandardCharsets.UTF_8));

        api.admin().rotateSecret(rotate(app));

        assertThat(stored(api, app.getAppKey()).version()).isEqualTo(1);
    }

    @Test
    void rotateSecret_whenAppUnknown_thenNotFoundAndNothingWrittenInZooKeeper() throws Exception {
        assertThatThrownBy(() -> api.admin().rotateSecret(RotateSecretRequest.newBuilder().setAppKey("nosuchapp").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

        assertThat(api.zk.checkExists().forPath(ZooKeeperPaths.app("nosuchapp"))).isNull();
    }
}
