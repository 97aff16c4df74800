package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.longlink.common.kafka.KafkaSettings;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.conn.testing.TestNodes;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Receipts reach the receipts topic: ACKED, EXPIRED and REVOKED (and ACKED for tag and broadcast
 * copies when asked for); without Kafka the node still serves and ACKs still count.
 */
@ExtendWith(Infra.class)
class ReceiptIntegrationTest {
    /** A new receipts topic. */
    private static String topic(KafkaCluster kafka) throws Exception {
        String topic = "receipts-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopics(1, topic);
        return topic;
    }

    /** A conn-node (in its own ZooKeeper namespace) that sends its receipts to {@code topic}. */
    private static TestNodes receiptsTo(RedisServer redisServer, TestingServer zk, String namespace,
                                        KafkaCluster kafka, String topic) {
        return TestNodes.on(redisServer.uri(), zk, namespace)
                .set(ConnSettings.RECEIPTS_ENABLED, true)
                .set(KafkaSettings.BOOTSTRAP, kafka.bootstrapServers())
                .set(KafkaSettings.RECEIPT_TOPIC, topic);
    }

    @Test
    void ack_whenReceiptsEnabled_thenAckedReceiptOnTheTopicKeyedByApp(RedisServer redisServer, TestingServer zk,
                                                                      KafkaCluster kafka) throws Exception {
        String topic = topic(kafka);
        try (TestRedis redis = new TestRedis(redisServer.uri(), false)) {
            TestRedis.App app = redis.newApp();
            ConnNode node = receiptsTo(redisServer, zk, "receipt-it", kafka, topic).start();
            try (TestDevice d = TestDevice.connect(node.deviceAddress());
                 KafkaConsumer<String, byte[]> consumer = consumer(kafka.bootstrapServers())) {
                long id = 4_242_424_242L;
                receiveAndAck(redis, app, d, "receiver", id);

                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                    return !records.isEmpty();
                });
                assertThat(records).hasSize(1);
                assertThat(records.get(0).key()).isEqualTo(app.key());
                Receipt r = Receipt.parseFrom(records.get(0).value());
                assertThat(r.getKind()).isEqualTo(ReceiptKind.ACKED);
                assertThat(r.getMessageId()).isEqualTo(id);
                assertThat(r.getAppKey()).isEqualTo(app.key());
                assertThat(r.getDeviceId()).isEqualTo("receiver");
                assertThat(r.getNodeId()).isEqualTo(node.nodeId());
                assertThat(node.metrics().getSampleValue("longlink_conn_receipts_total", new String[] {"result"},
                        new String[] {"sent"})).isEqualTo(1);
            } finally {
                node.close();
            }
        }
    }

    @Test
    void ack_whenKafkaUnreachable_thenDevicesStillServedAndReceiptsDroppedAndCounted(RedisServer redisServer,
                                                                                   TestingServer zk) throws Exception {
        try (TestRedis redis = new TestRedis(redisServer.uri(), false)) {
            TestRedis.App app = redis.newApp();
            ConnNode node = TestNodes.on(redisServer.uri(), zk, "receipt-down-it")
                    .set(ConnSettings.RECEIPTS_ENABLED, true)
                    .set(KafkaSettings.BOOTSTRAP, "127.0.0.1:" + FreePorts.next()) // nothing listens there
                    .set(ConnSettings.RECEIPTS_MAX_BLOCK_MS, 200)
                    .start();
            try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
                long id = 5_151_515L;
                receiveAndAck(redis, app, d, "offline-kafka", id);
                await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(redis.stat(id, "acked")));
                assertThat(redis.inbox(app.key(), "offline-kafka")).isEmpty();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    Double dropped = node.metrics().getSampleValue("longlink_conn_receipts_total",
                            new String[] {"result"}, new String[] {"dropped"});
                    Double failed = node.metrics().getSampleValue("longlink_conn_receipts_total",
                            new String[] {"result"}, new String[] {"failed"});
                    return (dropped == null ? 0 : dropped) + (failed == null ? 0 : failed) == 1;
                });
                d.pingPong();
            } finally {
                node.close();
            }
        }
    }

    @Test
    void connect_whenInboxCopiesExpiredOrRevoked_thenExpiredAndRevokedReceipts(RedisServer redisServer,
                                                                              TestingServer zk, KafkaCluster kafka)
            throws Exception {
        String topic = topic(kafka);
        try (TestRedis redis = new TestRedis(redisServer.uri(), false)) {
            TestRedis.App app = redis.newApp();
            long expired = 6_161_616L;
            redis.createStat(expired, app.key(), false);
            redis.addToInbox(app.key(), "forgotten", expired); // the body went with its TTL
            long revoked = 6_161_617L;
            redis.createStat(revoked, app.key(), true);
            redis.addToInbox(app.key(), "forgotten", revoked);
            ConnNode node = receiptsTo(redisServer, zk, "receipt-undelivered-it", kafka, topic).start();
            try (TestDevice d = TestDevice.connect(node.deviceAddress());
                 KafkaConsumer<String, byte[]> consumer = consumer(kafka.bootstrapServers())) {
                d.loginLive(node, app, "forgotten");
                List<Receipt> receipts = receipts(consumer, topic, 2);
                assertThat(receipts).extracting(Receipt::getKind, Receipt::getMessageId, Receipt::getDeviceId)
                        .containsExactlyInAnyOrder(tuple(ReceiptKind.EXPIRED, expired, "forgotten"),
                                tuple(ReceiptKind.REVOKED, revoked, "forgotten"));
            } finally {
                node.close();
            }
        }
    }

    @Test
    void ack_whenAFanOutCopyIsAckedAndItsReceiptsAreOn_thenAckedReceipt(RedisServer redisServer, TestingServer zk,
                                                                      KafkaCluster kafka) throws Exception {
        String topic = topic(kafka);
        try (TestRedis redis = new TestRedis(redisServer.uri(), false)) {
            TestRedis.App app = redis.newApp();
            ConnNode node = receiptsTo(redisServer, zk, "receipt-fanout-it", kafka, topic)
                    .set(ConnSettings.RECEIPTS_FANOUT_ACKED, true)
                    .start();
            try (TestDevice d = TestDevice.connect(node.deviceAddress());
                 TestRouter router = new TestRouter(node.grpcPort());
                 KafkaConsumer<String, byte[]> consumer = consumer(kafka.bootstrapServers())) {
                d.loginLive(node, app, "listener");
                long id = 6_262_626L;
                router.blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key()).setBroadcast(true)
                        .setPush(TestRouter.push(id, "to everyone")).setLogPosition(1).build());
                assertThat(d.read().push().getMessageId()).isEqualTo(id);
                d.ack(id);
                List<Receipt> receipts = receipts(consumer, topic, 1);
                assertThat(receipts).extracting(Receipt::getKind, Receipt::getMessageId, Receipt::getDeviceId)
                        .containsExactly(tuple(ReceiptKind.ACKED, id, "listener"));
            } finally {
                node.close();
            }
        }
    }

    /** Reads the topic until {@code n} receipts came, and a little longer to see that no more follow. */
    private static List<Receipt> receipts(KafkaConsumer<String, byte[]> consumer, String topic, int n)
            throws Exception {
        consumer.subscribe(List.of(topic));
        List<Receipt> receipts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                receipts.add(Receipt.parseFrom(r.value()));
            }
            return receipts.size() >= n;
        });
        return receipts;
    }

    /** Message {@code id} waits in the device's inbox; the device logs in, gets it and ACKs it. */
    private static void receiveAndAck(TestRedis redis, TestRedis.App app, TestDevice d, String device, long id)
            throws Exception {
        redis.storeInInbox(app.key(), device, TestRouter.push(id, "hello"), 60_000);
        d.loginOk(app.connectFrame(device, 60));
        assertThat(d.read().push().getMessageId()).isEqualTo(id);
        d.ack(id);
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "receipt-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
