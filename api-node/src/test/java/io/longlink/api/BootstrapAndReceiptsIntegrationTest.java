package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.longlink.api.id.WorkerIdLease;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.NodeRegistration;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.testing.RecordingObserver;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.ConnNodeEndpoint;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.StreamReceiptsRequest;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class BootstrapAndReceiptsIntegrationTest {
    private static ApiHarness api;
    private static KafkaCluster kafka;
    private final List<NodeRegistration> registered = new ArrayList<>();

    @BeforeAll
    static void setUp(RedisServer redis, TestingServer zk, KafkaCluster kafkaCluster) throws Exception {
        kafka = kafkaCluster;
        api = new ApiHarness(redis, zk, kafka, Map.of(ApiSettings.RECEIPT_QUEUE_MAX, 16));
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    @AfterEach
    void deregister() {
        registered.forEach(NodeRegistration::close);
        registered.clear();
    }

    @Test
    void getConnNodes_whenSeveralLive_thenDeviceEndpointsLeastLoadedFirstWithoutCredentials() throws Exception {
        conn("conn-busy", 500, true);
        conn("conn-idle", 10, true);
        conn("conn-mid", 200, true);
        conn("conn-nodevice", 0, false);
        BootstrapServiceGrpc.BootstrapServiceBlockingStub bootstrap = BootstrapServiceGrpc.newBlockingStub(api.channel);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                bootstrap.getConnNodes(GetConnNodesRequest.newBuilder().setLimit(10).build()).getNodesCount() == 3);

        List<ConnNodeEndpoint> nodes = bootstrap.getConnNodes(GetConnNodesRequest.newBuilder().setLimit(10).build())
                .getNodesList();
        assertThat(nodes).extracting(ConnNodeEndpoint::getNodeId).containsExactly("conn-idle", "conn-mid", "conn-busy");
        assertThat(nodes.get(0).getAddress()).isEqualTo("10.0.0.1:7000");
        assertThat(nodes.get(0).getLoad()).isEqualTo(10);
        assertThat(bootstrap.getConnNodes(GetConnNodesRequest.newBuilder().setLimit(2).build()).getNodesCount()).isEqualTo(2);
        assertThatThrownBy(() -> bootstrap.getConnNodes(GetConnNodesRequest.newBuilder().setLimit(101).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: limit: 101 (expected: 0 (= 3) to 100)");
    }

    @Test
    void getConnNodes_whenANodeDrains_thenNeverOfferedAndTheOthersLeastLoadedFirst() throws Exception {
        conn("conn-d-idle", 1, true);
        conn("conn-d-busy", 700, true);
        NodeRegistration draining = conn("conn-d-draining", 0, true);
        BootstrapServiceGrpc.BootstrapServiceBlockingStub bootstrap = BootstrapServiceGrpc.newBlockingStub(api.channel);
        GetConnNodesRequest all = GetConnNodesRequest.newBuilder().setLimit(100).build();
        await().atMost(Duration.ofSeconds(10)).until(() -> bootstrap.getConnNodes(all).getNodesList().stream()
                .anyMatch(n -> n.getNodeId().equals("conn-d-draining")));

        // the draining node stays in membership (routers still deliver to its devices) with its flag set
        draining.markDraining();

        await().atMost(Duration.ofSeconds(10)).until(() -> bootstrap.getConnNodes(all).getNodesList().stream()
                .noneMatch(n -> n.getNodeId().equals("conn-d-draining")));
        assertThat(bootstrap.getConnNodes(all).getNodesList()).extracting(ConnNodeEndpoint::getNodeId)
                .containsSubsequence("conn-d-idle", "conn-d-busy").doesNotContain("conn-d-draining");
        assertThat(api.zk.checkExists().forPath(ZooKeeperPaths.node("conn", "conn-d-draining"))).isNotNull();
    }

    @Test
    void getConnNodes_whenManyAsksBeforeTheNextLoadFigure_thenHeadsSpreadOverTheNodes() throws Exception {
        // a burst of devices asks within one load-publish interval: the published figures stay 0 meanwhile
        for (String id : List.of("conn-s-a", "conn-s-b", "conn-s-c")) {
            conn(id, 0, true);
        }
        BootstrapServiceGrpc.BootstrapServiceBlockingStub bootstrap = BootstrapServiceGrpc.newBlockingStub(api.channel);
        GetConnNodesRequest ask = GetConnNodesRequest.getDefaultInstance();
        await().atMost(Duration.ofSeconds(10)).until(() -> bootstrap.getConnNodes(ask).getNodesCount() == 3);

        Map<String, Integer> heads = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            heads.merge(bootstrap.getConnNodes(ask).getNodes(0).getNodeId(), 1, Integer::sum);
        }
        assertThat(heads).containsOnlyKeys("conn-s-a", "conn-s-b", "conn-s-c");
        assertThat(heads.values()).as("devices sent to each node: %s", heads).allSatisfy(n -> assertThat(n).isBetween(90, 110));
    }

    /** Registers a conn-node entry, removed after the test. */
    private NodeRegistration conn(String id, long load, boolean device) throws Exception {
        Map<String, String> endpoints = device ? Map.of("device", "10.0.0.1:7000", "grpc", "10.0.0.1:7100")
                : Map.of("grpc", "10.0.0.2:7100");
        NodeRegistration r = new NodeRegistration(api.zk, new NodeInfo(id, "conn", endpoints, load));
        registered.add(r);
        r.start(5_000);
        return r;
    }

    @Test
    void workerId_whenNodeStarted_thenLeasedInZooKeeper() throws Exception {
        int id = api.node.workerId();

        assertThat(id).isBetween(0, WorkerIdLease.WORKERS - 1);
        byte[] owner = api.zk.getData().forPath(ZooKeeperPaths.WORKERS + "/" + id);
        assertThat(new String(owner, StandardCharsets.UTF_8)).isEqualTo(api.node.nodeId());
    }

    @Test
    void streamReceipts_whenReceiptsOfSeveralApps_thenOnlyCallersAppAndKinds() throws Exception {
        CreateAppResponse mine = api.createApp("receipts-mine");
        CreateAppResponse theirs = api.createApp("receipts-theirs");
        RecordingObserver<Receipt> receipts = new RecordingObserver<>();
        api.stubFor(mine, PushServiceGrpc::newStub).streamReceipts(
                StreamReceiptsRequest.newBuilder().addKinds(ReceiptKind.ACKED).build(), receipts);

        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // the stream is a live tail: keep writing until the subscription has caught up
            long[] seq = {1};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                send(producer, theirs.getAppKey(), ReceiptKind.ACKED, seq[0]);
                send(producer, mine.getAppKey(), ReceiptKind.STORED, seq[0]);
                send(producer, mine.getAppKey(), ReceiptKind.ACKED, seq[0]);
                producer.flush();
                seq[0]++;
                return !receipts.values().isEmpty();
            });
        }
        assertThat(receipts.values()).allSatisfy(r -> {
            assertThat(r.getAppKey()).isEqualTo(mine.getAppKey());
            assertThat(r.getKind()).isEqualTo(ReceiptKind.ACKED);
        });
        assertThat(receipts.ends()).as("the stream goes on").isEmpty();
    }

    @Test
    void streamReceipts_whenAKindNobodyEmits_thenInvalidArgumentInsteadOfAStreamThatNeverDelivers() {
        CreateAppResponse app = api.createApp("receipts-kinds");
        // 1 was DELIVERED, never emitted and removed from the API; 0 is no kind at all
        for (int kind : new int[] {1, 0, 99}) {
            Iterator<Receipt> stream = api.stubFor(app, PushServiceGrpc::newBlockingStub)
                    .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .streamReceipts(StreamReceiptsRequest.newBuilder().addKinds(ReceiptKind.ACKED)
                            .addKindsValue(kind).build());
            assertThatThrownBy(stream::hasNext).isInstanceOf(StatusRuntimeException.class)
                    .hasMessage("INVALID_ARGUMENT: kinds[1]: " + kind
                            + " (expected: ACKED, STORED, EXPIRED, REVOKED or DROPPED)");
        }
    }

    @Test
    void streamReceipts_whenCallerNeverReads_thenEndedWithResourceExhausted() throws Exception {
        CreateAppResponse app = api.createApp("receipts-slow");
        double before = openStreams();
        // a blocking iterator that is not advanced: its flow-control window fills and the server must not buffer forever
        Iterator<Receipt> unread = api.stubFor(app, PushServiceGrpc::newBlockingStub)
                .streamReceipts(StreamReceiptsRequest.getDefaultInstance());
        await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == before + 1);

        String bulky = "x".repeat(32 * 1024);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (int i = 0; i < 50; i++) {
                    Receipt r = Receipt.newBuilder().setAppKey(app.getAppKey()).setKind(ReceiptKind.ACKED)
                            .setMessageId(i + 1).setDeviceId(bulky).build();
                    producer.send(new ProducerRecord<>(api.receiptTopic, app.getAppKey().getBytes(StandardCharsets.UTF_8),
                            r.toByteArray()));
                }
                producer.flush();
                return openStreams() == before;
            });
        }
        assertThatThrownBy(() -> unread.forEachRemaining(r -> { }))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageStartingWith("RESOURCE_EXHAUSTED: receipts: more than 16 receipts waiting for this caller");
    }

    private static double openStreams() {
        Double v = api.node.metrics().getSampleValue("longlink_api_receipt_streams");
        return v == null ? 0 : v;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String app, ReceiptKind kind, long id) {
        Receipt r = Receipt.newBuilder().setMessageId(id).setAppKey(app).setDeviceId("d").setKind(kind)
                .setAtMs(System.currentTimeMillis()).setNodeId("conn-1").build();
        producer.send(new ProducerRecord<>(api.receiptTopic, app.getBytes(StandardCharsets.UTF_8), r.toByteArray()));
    }
}
