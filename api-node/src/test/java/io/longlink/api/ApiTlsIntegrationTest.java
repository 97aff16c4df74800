package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.longlink.common.config.Setting;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Infra.class)
class ApiTlsIntegrationTest {
    @Test
    void apiPort_whenTlsConfigured_thenTlsClientsServedAndPlaintextRefused(RedisServer redis, TestingServer zk,
                                                                           KafkaCluster kafka, @TempDir Path dir) throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .setIsCertificateAuthority(true).buildSelfSigned();
        Path certFile = dir.resolve("api.crt");
        Path keyFile = dir.resolve("api.key");
        Files.writeString(certFile, cert.getCertificatePEM());
        Files.writeString(keyFile, cert.getPrivateKeyPEM());
        Map<Setting<?>, Object> tls = new HashMap<>();
        tls.put(ApiSettings.TLS_CERT, certFile.toString());
        tls.put(ApiSettings.TLS_KEY, keyFile.toString());

        try (ApiHarness api = new ApiHarness(redis, zk, kafka, tls)) {
            ManagedChannel secure = NettyChannelBuilder.forAddress("localhost", api.node.grpcPort())
                    .sslContext(GrpcSslContexts.forClient().trustManager(certFile.toFile()).build()).build();
            try {
                assertThat(BootstrapServiceGrpc.newBlockingStub(secure).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getConnNodes(GetConnNodesRequest.getDefaultInstance()).getNodesCount()).isZero();
            } finally {
                secure.shutdownNow();
            }
            assertThatThrownBy(() -> BootstrapServiceGrpc.newBlockingStub(api.channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getConnNodes(GetConnNodesRequest.getDefaultInstance()))
                    .isInstanceOf(StatusRuntimeException.class);
        }
    }

    @Test
    void start_whenOnlyCertConfigured_thenFailsNamingBothSettings(RedisServer redis, TestingServer zk, KafkaCluster kafka,
                                                                  @TempDir Path dir) throws Exception {
        Path certFile = Files.writeString(dir.resolve("only.crt"), "x");
        assertThatThrownBy(() -> new ApiHarness(redis, zk, kafka, Map.of(ApiSettings.TLS_CERT, certFile.toString())))
                .hasMessageContaining("api.tls.cert-path and api.tls.key-path: only one is set");
    }
}
