package io.longlink.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class InfraIntegrationTest {

    @Test
    void redis_answersOnItsRandomPort(RedisServer redis) {
        assertThat(redis.command("PING")).isEqualTo("+PONG");
        assertThat(redis.command("SET k v")).isEqualTo("+OK");
        assertThat(redis.command("GET k")).isEqualTo("v");
        redis.flushAll();
        assertThat(redis.command("GET k")).isEqualTo("$-1");
    }

    @Test
    void redis_isSharedAcrossResolutions(RedisServer a, RedisServer b) {
        assertThat(a).isSameAs(b);
    }

    @Test
    void redis_whenStoppedAndRestarted_thenRefusesMeanwhileAndAnswersAgainOnTheSamePort() {
        try (RedisServer own = RedisServer.start()) {
            int port = own.port();
            assertThat(own.command("SET k v")).isEqualTo("+OK");

            own.stop();
            assertThat(own.command("PING")).startsWith("-ERR");

            own.restart();
            assertThat(own.port()).isEqualTo(port);
            assertThat(own.command("PING")).isEqualTo("+PONG");
            assertThat(own.command("GET k")).as("no persistence: a restart starts empty").isEqualTo("$-1");
        }
    }

    @Test
    void redisCluster_hasThreeMastersCoveringAllSlots(RedisClusterServer cluster) {
        assertThat(cluster.uris()).hasSize(3);
        String info = cluster.nodes().get(0).command("CLUSTER INFO");
        assertThat(info).contains("cluster_state:ok").contains("cluster_slots_assigned:16384").contains("cluster_known_nodes:3");
    }

    @Test
    void zooKeeper_serves(TestingServer zk) {
        assertThat(zk.getConnectString()).startsWith("127.0.0.1:");
    }

    @Test
    void kafka_roundTripsARecord(KafkaCluster kafka) throws Exception {
        kafka.createTopics(2, "infra-test");
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("infra-test", "key", "hello")).get(30, TimeUnit.SECONDS);
        }
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "infra-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("infra-test"));
            String value = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (value == null && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                for (var r : records) {
                    value = r.value();
                }
            }
            assertThat(value).isEqualTo("hello");
        }
    }

    @Test
    void kafka_whenStoppedAndRestarted_thenRefusesMeanwhileAndServesAgainOnTheSamePort() throws Exception {
        try (KafkaCluster own = KafkaCluster.start()) {
            own.createTopics(1, "outage");
            String bootstrap = own.bootstrapServers();
            Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000, ProducerConfig.LINGER_MS_CONFIG, 0);
            try (var producer = new KafkaProducer<String, String>(props, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("outage", "k", "before")).get(30, TimeUnit.SECONDS);

                own.stop();
                var during = producer.send(new ProducerRecord<>("outage", "k", "during"));
                assertThatThrownBy(() -> during.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);

                own.restart();
                assertThat(own.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(producer.send(new ProducerRecord<>("outage", "k", "after")).get(30, TimeUnit.SECONDS)
                        .offset()).isEqualTo(1);
            }
        }
    }
}
