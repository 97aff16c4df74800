package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnNode;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The browser client in a real browser: Debian's chromium, driven by playwright-core (src/test/browser),
 * opens a conn-node's demo page; pushes sent through the API appear on the page and its ACKs empty
 * the inbox, over WebSocket, and over SSE or long-polling when the test blocks what comes before.
 */
@ExtendWith(Infra.class)
class BrowserEndToEndIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SOURCES = Path.of("src/test/browser");
    private static final Path WORK = Path.of("target/browser");
    private static TestCluster cluster;
    private static RedisServer redis;

    @BeforeAll
    static void start(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        installPlaywright();
        cluster = TestCluster.start(redis, zk, kafka, 1, 1, Map.of("conn.ws.port", "0", "conn.ws.demo-page", "true",
                "conn.http.port", "0", "conn.http.poll-hold-ms", "2000"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** playwright-core from the committed lock file into target/browser; it downloads no browser. */
    private static void installPlaywright() throws Exception {
        Files.createDirectories(WORK);
        for (String f : List.of("package.json", "package-lock.json", "show-pushes.mjs")) {
            Files.copy(SOURCES.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(WORK.resolve("node_modules/playwright-core"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(WORK.toFile())
                .redirectErrorStream(true).redirectOutput(WORK.resolve("npm.log").toFile()).start();
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).as("npm ci finished").isTrue();
        assertThat(npm.exitValue()).as("npm ci (see target/browser/npm.log)").isZero();
    }

    @Test
    void demoPage_inChromium_showsStoredAndLivePushesAndItsAcksEmptyTheInbox() throws Exception {
        showsPushes("none", "over websocket");
    }

    @Test
    void demoPage_whenWebSocketIsBlocked_fallsBackToServerSentEvents() throws Exception {
        showsPushes("websocket", "over sse");
    }

    @Test
    void demoPage_whenWebSocketAndEventStreamAreBlocked_fallsBackToLongPolling() throws Exception {
        showsPushes("websocket,events", "over longpoll");
    }

    /** The page opens with {@code blocked} requests failing, connects {@code over} a transport, shows pushes and ACKs them. */
    private void showsPushes(String blocked, String over) throws Exception {
        TestCluster.App app = cluster.createApp("browser-" + blocked.replace(',', '-'));
        String device = "chromium-1";
        String token = app.registerWebDevice(device);
        long stored = app.pushTo(device, "stored while the page was closed");
        await().atMost(WAIT).until(() -> app.inboxDepth(redis, device) == 1);

        ConnNode node = cluster.connNodes().get(0);
        String url = "http://127.0.0.1:" + node.webAddress().getPort() + "/?app=" + app.key() + "&device=" + device
                + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        Process browser = new ProcessBuilder("node", "show-pushes.mjs", url, blocked, "stored while the page",
                "live to the open page").directory(WORK.toFile())
                .redirectError(WORK.resolve("chromium-" + blocked.replace(',', '-') + ".log").toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(browser.getInputStream(),
                    StandardCharsets.UTF_8))) {
                r.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
        });
        try {
            assertThat(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("see target/browser/chromium-*.log")
                    .isEqualTo("CONNECTED");
            assertThat(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("SHOWN stored while the page");
            long live = app.pushTo(device, "live to the open page");
            assertThat(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("SHOWN live to the open page");
            assertThat(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("TRANSPORT " + over);

            await().atMost(WAIT).until(() -> app.inboxDepth(redis, device) == 0);
            for (long id : new long[] {stored, live}) {
                await().atMost(WAIT).until(() -> app.push().getMessageStatus(GetMessageStatusRequest.newBuilder()
                        .setMessageId(id).build()).getAcked() == 1);
            }
            try (Writer w = browser.outputWriter()) {
                w.write("done\n");
            }
            assertThat(browser.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(browser.exitValue()).isZero();
        } finally {
            browser.destroyForcibly();
        }
    }

}
