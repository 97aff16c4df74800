package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP session API (POST /connect, GET /poll, POST /send) with java.net.http against a real cluster. */
@ExtendWith(Infra.class)
class HttpSessionEndToEndIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern SESSION = Pattern.compile("\"httpSession\":\"([A-Za-z0-9_-]+)\"");
    private static final HttpClient http = HttpClient.newHttpClient();
    private static TestCluster cluster;
    private static RedisServer redis;
    private TestCluster.App app;

    @BeforeAll
    static void startCluster(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        // heartbeats of 2 s (idle close after 6 s): polls held 1 s apart keep the session; an HTTP
        // connection with no request for the hold plus the CONNECT timeout (3 s) is closed
        cluster = TestCluster.start(redis, zk, kafka, 1, 1, Map.of("conn.http.port", "0",
                "conn.http.poll-hold-ms", "1000", "conn.heartbeat-min-s", "1", "conn.heartbeat-default-s", "2",
                "conn.connect-timeout-ms", "2000"));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void createApp() {
        app = cluster.createApp("http-" + System.nanoTime());
    }

    @Test
    void longPoll_storedPushIsPolledAndAckBySendEmptiesTheInbox_andPollsAcrossIdleWindowKeepTheSession()
            throws Exception {
        String token = app.registerWebDevice("poller");
        long id = app.pushTo("poller", "via long poll");
        await().atMost(WAIT).until(() -> app.inboxDepth(redis, "poller") == 1);

        HttpResponse<String> connected = post("/connect", connect("poller", token));
        assertThat(connected.statusCode()).isEqualTo(200);
        assertThat(connected.body()).startsWith("[{\"httpSession\":\"").contains("\"type\":\"CONNACK\"",
                "\"code\":\"OK\"");
        Matcher m = SESSION.matcher(connected.body());
        assertThat(m.find()).isTrue();
        String session = m.group(1);

        StringBuilder polled = new StringBuilder();
        await().atMost(WAIT).until(() -> polled.append(get("/poll?session=" + session).body())
                .indexOf("\"messageId\":\"" + Long.toUnsignedString(id) + "\"") >= 0);
        assertThat(polled.toString()).contains("\"payload\":\"dmlhIGxvbmcgcG9sbA==\"");

        HttpResponse<String> acked = post("/send?session=" + session, "{\"type\":\"ACK\",\"messageIds\":[\""
                + Long.toUnsignedString(id) + "\"]}");
        assertThat(acked.statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> app.inboxDepth(redis, "poller") == 0);

        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (System.nanoTime() < until) {
            HttpResponse<String> empty = get("/poll?session=" + session); // held about 1 s, answered []
            assertThat(empty.statusCode()).isEqualTo(200);
            assertThat(empty.body()).isEqualTo("[]");
        }
        assertThat(cluster.connNodes().get(0).sessionIndex().find(app.key(), "poller")).isNotNull();
    }

    @Test
    void connect_whenBadToken_thenUnauthorizedWithConnAckAndError() throws Exception {
        app.registerWebDevice("bad-token");
        HttpResponse<String> r = post("/connect", connect("bad-token", "v1.1.nope"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).startsWith("[{\"type\":\"CONNACK\",\"code\":\"BAD_TOKEN\"")
                .contains(",{\"type\":\"ERROR\",\"code\":\"BAD_TOKEN\"");
    }

    @Test
    void poll_whenUnknownSession_thenNotConnected() throws Exception {
        HttpResponse<String> r = get("/poll?session=AAAAAAAAAAAAAAAAAAAAAA");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"type\":\"ERROR\",\"code\":\"NOT_CONNECTED\"");
    }

    @Test
    void connection_whenNoRequestForTheIdleTime_thenClosedWithinTwiceIt() throws Exception {
        try (Socket idle = new Socket("127.0.0.1", cluster.connNodes().get(0).httpAddress().getPort())) {
            idle.setSoTimeout(15_000);
            long start = System.nanoTime();
            assertThat(idle.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(waitedMs).isBetween(2_900L, 6_500L);
        }
    }

    private String connect(String deviceId, String token) {
        return "{\"type\":\"CONNECT\",\"protocolVersion\":1,\"appKey\":\"" + app.key() + "\",\"deviceId\":\""
                + deviceId + "\",\"token\":\"" + token + "\",\"platform\":\"WEB\"}";
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + cluster.connNodes().get(0).httpAddress().getPort() + path);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }


}
