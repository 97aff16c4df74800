package io.longlink.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.api.ApiNode;
import io.longlink.api.ApiSettings;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.NodeRegistration;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisSettings;
import io.longlink.common.testing.NodeEnv;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** pushctl against a real api-node (real Redis, ZooKeeper and Kafka). */
@ExtendWith(Infra.class)
class PushCtlIntegrationTest {
    private static final String TOKEN = "cli-admin-token";
    private static ApiNode api;
    private static KafkaCluster kafka;
    private static String commandTopic;
    private static String receiptTopic;
    private static String namespace;
    private static String apiAddress;
    private static RedisServer redisServer;

    @BeforeAll
    static void setUp(RedisServer redis, TestingServer zk, KafkaCluster kafkaCluster) throws Exception {
        kafka = kafkaCluster;
        redisServer = redis;
        commandTopic = "commands-" + UUID.randomUUID();
        receiptTopic = "receipts-" + UUID.randomUUID();
        namespace = "cli-" + UUID.randomUUID();
        kafka.createTopics(2, commandTopic, receiptTopic);
        NodeEnv env = new NodeEnv().zooKeeper(zk, namespace).set(RedisSettings.URIS, redis.uri())
                .kafka(kafka, commandTopic, receiptTopic)
                .set(ApiSettings.ADMIN_PORT, 0)
                .set(ApiSettings.GRPC_PORT, 0)
                .set(ApiSettings.ADMIN_TOKEN, TOKEN);
        api = NodeEnv.started(new ApiNode(env.load(ApiSettings.all())));
        apiAddress = "127.0.0.1:" + api.grpcPort();
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private record Result(int exit, String out, String err) {
        String field(String name) {
            Matcher m = Pattern.compile("(?:^| )" + name + "=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)").matcher(out);
            if (!m.find()) {
                throw new AssertionError("no " + name + " in: " + out + " / " + err);
            }
            String v = m.group(1);
            return v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
        }
    }

    private static Result pushctl(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--api", apiAddress));
        all.addAll(List.of(args));
        int exit = new PushCtl(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env).run(all.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8).trim());
    }

    private static Map<String, String> app(Result created) {
        return Map.of("LONGLINK_APP_KEY", created.field("app_key"), "LONGLINK_APP_SECRET", created.field("secret"));
    }

    @Test
    void workflow_createRegisterPushStatus_thenKeyValueOutputAndCommandInKafka() throws Exception {
        Result created = pushctl(Map.of(), "--admin-token", TOKEN, "create-app", "cli shop");
        assertThat(created.exit()).isZero();
        Map<String, String> env = app(created);

        Result reg = pushctl(env, "register-device", "phone-1", "--platform", "ios");
        assertThat(reg.exit()).isZero();
        assertThat(reg.field("token")).startsWith("v1.");

        Result pushed = pushctl(env, "push", "--device", "phone-1", "--title", "Hello there", "--body", "b",
                "--payload", "{\"k\":1}", "--ttl", "60", "--collapse", "c1", "--priority", "high");
        assertThat(pushed.exit()).as(pushed.err()).isZero();
        long id = Long.parseUnsignedLong(pushed.field("message_id"));
        assertThat(pushed.field("duplicate")).isEqualTo("false");
        PushCommand cmd = commandWithId(id);
        assertThat(cmd.getPush().getNotification().getTitle()).isEqualTo("Hello there");
        assertThat(cmd.getPush().getPayload().toStringUtf8()).isEqualTo("{\"k\":1}");
        assertThat(cmd.getTtlSeconds()).isEqualTo(60);
        assertThat(cmd.getPush().getCollapseKey()).isEqualTo("c1");

        Result status = pushctl(env, "status", Long.toUnsignedString(id));
        assertThat(status.exit()).isZero();
        assertThat(status.field("targeted")).isEqualTo("0");
        assertThat(Long.parseLong(status.field("accepted_at_ms"))).isPositive();

        assertThat(pushctl(env, "add-tags", "phone-1", "vip", "beta").field("tags")).isEqualTo("beta,vip");
        assertThat(pushctl(env, "set-alias", "phone-1", "alice").field("previous_alias")).isEmpty();
        Result device = pushctl(env, "device", "phone-1");
        assertThat(device.field("platform")).isEqualTo("IOS");
        assertThat(device.field("alias")).isEqualTo("alice");
        assertThat(pushctl(env, "push", "--alias", "alice", "--body", "x").exit()).isZero();
        assertThat(pushctl(env, "push", "--tag", "vip", "--not-tag", "muted", "--body", "x", "--spread-ms", "100").exit())
                .isZero();
        assertThat(pushctl(env, "push", "--all", "--body", "x", "--ttl", "0").exit()).isZero();
        assertThat(pushctl(env, "revoke", Long.toUnsignedString(id)).field("body_removed")).isEqualTo("false");
    }

    @Test
    void status_whenCopiesDroppedAndLogEntryTrimmed_thenPrintsBoth() {
        Map<String, String> env = app(pushctl(Map.of(), "--admin-token", TOKEN, "create-app", "cli-drops"));
        String id = pushctl(env, "push", "--device", "d", "--body", "x").field("message_id");
        String stat = RedisKeys.stat(Long.parseUnsignedLong(id));

        assertThat(pushctl(env, "status", id).field("dropped")).isEqualTo("0");
        assertThat(pushctl(env, "status", id).field("log_trimmed_at_ms")).isEqualTo("0");
        redisServer.command("HSET " + stat + " " + RedisKeys.STAT_DROPPED + " 3 " + RedisKeys.STAT_LOG_TRIMMED_MS
                + " 1700000000123");

        Result status = pushctl(env, "status", id);
        assertThat(status.field("dropped")).isEqualTo("3");
        assertThat(status.field("log_trimmed_at_ms")).isEqualTo("1700000000123");
    }

    @Test
    void push_whenServerRefuses_thenErrorLineWithCodeAndExit1() {
        Map<String, String> env = app(pushctl(Map.of(), "--admin-token", TOKEN, "create-app", "cli-refused"));

        Result r = pushctl(env, "push", "--device", "bad id", "--body", "x");

        assertThat(r.exit()).isEqualTo(PushCtl.FAILED);
        assertThat(r.err()).isEqualTo("error=INVALID_ARGUMENT message=\"audience.devices[0]: 'bad id'"
                + " (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)\"");
        Result wrong = pushctl(Map.of("LONGLINK_APP_KEY", env.get("LONGLINK_APP_KEY"), "LONGLINK_APP_SECRET", "nope"),
                "status", "1");
        assertThat(wrong.exit()).isEqualTo(PushCtl.FAILED);
        assertThat(wrong.err()).startsWith("error=UNAUTHENTICATED");
    }

    @Test
    void quota_showAndSet_thenOneLineEachAndAPushOverTheRateTellsWhenToRetry() {
        Result created = pushctl(Map.of(), "--admin-token", TOKEN, "create-app", "cli-quota");
        String appKey = created.field("app_key");

        Result shown = pushctl(Map.of(), "--admin-token", TOKEN, "quota", "show", appKey);
        Result set = pushctl(Map.of(), "--admin-token", TOKEN, "quota", "set", appKey, "--pushes-per-s", "1",
                "--devices-per-call", "2");

        assertThat(shown.out()).isEqualTo("app_key=" + appKey + " pushes_per_s=10000 fanouts_per_s=10"
                + " devices_per_call=1000 defaults=pushes_per_s,fanouts_per_s,devices_per_call");
        assertThat(set.out()).isEqualTo("app_key=" + appKey + " pushes_per_s=1 fanouts_per_s=10 devices_per_call=2"
                + " defaults=fanouts_per_s");
        Map<String, String> env = app(created);
        Result tooMany = pushctl(env, "push", "--device", "a", "--device", "b", "--device", "c", "--body", "x");
        assertThat(tooMany.exit()).isEqualTo(PushCtl.FAILED);
        assertThat(tooMany.err()).isEqualTo("error=RESOURCE_EXHAUSTED message=\"audience.devices: 3 names (expected: at"
                + " most 2, this app's quota devices_per_call; split the push)\"");
        // one push a second: of pushes made back to back, one is soon refused
        Result refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            Result r = pushctl(env, "push", "--device", "a", "--body", "x");
            refused = r.exit() == PushCtl.FAILED ? r : null;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.err()).matches("error=RESOURCE_EXHAUSTED message=\"quota pushes_per_s: .*\""
                + " retry_after_ms=\\d+");
        assertThat(pushctl(Map.of(), "--admin-token", TOKEN, "quota", "set", appKey, "--pushes-per-s", "0").out())
                .endsWith("pushes_per_s=10000 fanouts_per_s=10 devices_per_call=2 defaults=pushes_per_s,fanouts_per_s");
    }

    @Test
    void push_whenRequestIdRepeated_thenSameIdReportedAsDuplicate() {
        Map<String, String> env = app(pushctl(Map.of(), "--admin-token", TOKEN, "create-app", "cli-idem"));

        Result first = pushctl(env, "push", "--device", "d", "--body", "x", "--request-id", "r-1");
        Result again = pushctl(env, "push", "--device", "d", "--body", "x", "--request-id", "r-1");

        assertThat(again.field("message_id")).isEqualTo(first.field("message_id"));
        assertThat(again.field("duplicate")).isEqualTo("true");
    }

    @Test
    void nodes_whenConnNodesRegistered_thenOneLinePerNodeLeastLoadedFirst(TestingServer zk) throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace(namespace).retryPolicy(new RetryOneTime(100)).build()) {
            client.start();
            client.blockUntilConnected();
            NodeRegistration a = new NodeRegistration(client, new NodeInfo("c-a", "conn", Map.of("device", "h1:7000"), 9));
            NodeRegistration b = new NodeRegistration(client, new NodeInfo("c-b", "conn", Map.of("device", "h2:7000"), 1));
            a.start(5_000);
            b.start(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> pushctl(Map.of(), "nodes").out().lines().count() == 2);

            assertThat(pushctl(Map.of(), "nodes").out().lines().toList())
                    .containsExactly("node_id=c-b address=h2:7000 load=1", "node_id=c-a address=h1:7000 load=9");
            a.close();
            b.close();
        }
    }

    @Test
    void watchReceipts_whenReceiptsArrive_thenPrintsOwnAppsUntilCount() throws Exception {
        Result created = pushctl(Map.of(), "--admin-token", TOKEN, "create-app", "cli-receipts");
        Map<String, String> env = app(created);
        String appKey = created.field("app_key");
        CompletableFuture<Result> watching = CompletableFuture.supplyAsync(() ->
                pushctl(env, "watch-receipts", "--kind", "acked", "--count", "2"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            long[] n = {1};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Receipt r = Receipt.newBuilder().setAppKey(appKey).setMessageId(n[0]++).setDeviceId("d")
                        .setKind(ReceiptKind.ACKED).setNodeId("conn-1").build();
                producer.send(new ProducerRecord<>(receiptTopic, appKey.getBytes(StandardCharsets.UTF_8), r.toByteArray()));
                producer.flush();
                return watching.isDone();
            });
        }
        Result r = watching.get();
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).hasSize(2).allSatisfy(l ->
                assertThat(l).matches("message_id=\\d+ device_id=d kind=ACKED at_ms=0 node_id=conn-1"));
    }

    private static PushCommand commandWithId(long id) throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(commandTopic).stream()
                    .map(p -> new TopicPartition(commandTopic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (var rec : c.poll(Duration.ofMillis(200))) {
                    PushCommand cmd = PushCommand.parseFrom(rec.value());
                    if (cmd.getPush().getMessageId() == id) {
                        return cmd;
                    }
                }
            }
        }
        throw new AssertionError("command " + id + " not in " + commandTopic);
    }
}
