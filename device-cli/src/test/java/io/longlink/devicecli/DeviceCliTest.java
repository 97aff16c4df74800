package io.longlink.devicecli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Platform;
import io.longlink.proto.device.Push;
import io.longlink.sdk.testing.FakeConnection;
import io.longlink.sdk.testing.FakeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private FakeServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = FakeServer.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void run_whenCountReached_thenOneLinePerMessageAcksAndExitZero() throws Exception {
        CompletableFuture<Integer> exit = runAsync("--count", "2", "--timeout-s", "30");
        FakeConnection conn = server.nextConnection();
        Connect connect = conn.acceptSession();
        assertThat(connect.getAppKey()).isEqualTo("demo");
        assertThat(connect.getDeviceId()).isEqualTo("cli-1");
        assertThat(connect.getToken()).isEqualTo("v1.9.abc");
        assertThat(connect.getPlatform()).isEqualTo(Platform.DESKTOP);
        conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(1).setPayload(ByteString.copyFromUtf8("hello\nworld"))
                .setNotification(Notification.newBuilder().setTitle("Hi there").setBody("Body")).build());
        conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(1).build());
        conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(2).setPayload(ByteString.copyFrom(new byte[] {(byte) 0xC3, 0x28})).build());

        assertThat(exit.get(20, TimeUnit.SECONDS)).isEqualTo(DeviceCli.EXIT_OK);
        List<String> lines = lines(out);
        assertThat(lines).filteredOn(l -> l.startsWith("PUSH")).containsExactly(
                "PUSH id=1 title=Hi there body=Body payload=hello\\nworld",
                "PUSH id=2 payload=base64:" + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xC3, 0x28}));
        assertThat(lines).first().asString().startsWith("CONNECTED server=" + server.address());

        List<Long> acked = new ArrayList<>();
        FakeConnection.Received r;
        while ((r = conn.next()).frame().type() == FrameType.ACK) {
            acked.addAll(r.frame().body(Ack.class).getMessageIdsList());
        }
        assertThat(acked).containsExactlyInAnyOrder(1L, 1L, 2L);
        assertThat(r.frame().body(Disconnect.class).getReason()).isEqualTo("client closed");
    }

    @Test
    void run_whenTimeoutBeforeCount_thenExitThree() throws Exception {
        CompletableFuture<Integer> exit = runAsync("--count", "2", "--timeout-s", "1", "--quiet");
        FakeConnection conn = server.nextConnection();
        conn.acceptSession();
        conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(5).setPayload(ByteString.copyFromUtf8("only")).build());

        assertThat(exit.get(20, TimeUnit.SECONDS)).isEqualTo(DeviceCli.EXIT_TIMEOUT);
        assertThat(lines(out)).as("--quiet prints only PUSH lines").containsExactly("PUSH id=5 payload=only");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("timeout: 1 of 2 message(s) after 1 s");
    }

    @Test
    void run_whenServerRefusesApp_thenExitFour() throws Exception {
        CompletableFuture<Integer> exit = runAsync("--count", "1", "--timeout-s", "30");
        FakeConnection conn = server.nextConnection();
        conn.expect(FrameType.CONNECT, Connect.class);
        conn.send(FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.UNKNOWN_APP).setReason("no app demo").build());

        assertThat(exit.get(20, TimeUnit.SECONDS)).isEqualTo(DeviceCli.EXIT_STOPPED);
        assertThat(lines(out)).anySatisfy(l -> assertThat(l)
                .isEqualTo("DISCONNECTED code=REJECTED server-code=UNKNOWN_APP retry=false reason=UNKNOWN_APP: no app demo"));
    }

    @Test
    void run_whenArgumentsBad_thenExitTwoWithReason() throws Exception {
        assertUsage(new String[] {"--server", "h:1", "--app", "a", "--device", "d"}, "error: --token is required");
        assertUsage(new String[] {"--server", "h:1", "--app", "a", "--device", "d", "--token", "t", "--count", "x"},
                "error: --count: \"x\" (expected an integer from 0 to 2147483647)");
        assertUsage(new String[] {"--bogus"}, "error: unknown option: --bogus");
        assertUsage(new String[] {"--server"}, "error: --server needs a value");
        assertUsage(new String[] {"--server", " , ", "--app", "a", "--device", "d", "--token", "t"},
                "error: --server is required");
        assertUsage(new String[] {"--server", "nonsense", "--app", "a", "--device", "d", "--token", "t"},
                "error: servers[0]: \"nonsense\" (expected host:port or [ipv6]:port, port 1..65535)");
        assertUsage(new String[] {"--server", "h:1", "--app", "a", "--device", "bad id", "--token", "t"},
                "error: deviceId: \"bad id\"");
    }

    @Test
    void run_whenPlatformUnknown_thenExitTwoNamingTheChoices() throws Exception {
        assertUsage(new String[] {"--server", "h:1", "--app", "a", "--device", "d", "--token", "t", "--platform", "toaster"},
                "error: --platform: \"toaster\" (expected android, ios, web, desktop or iot)");
    }

    @Test
    void run_whenHelp_thenUsageOnStdoutAndExitZero() {
        int code = DeviceCli.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(DeviceCli.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: DeviceCli").contains("--timeout-s=S",
                "exit codes: 0 done, 2 bad arguments, 3 timeout");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void escape_whenControlCharacters_thenOneLine() {
        assertThat(EventPrinter.escape("a\tb\r\nc\\d\u0001")).isEqualTo("a\\tb\\r\\nc\\\\d\\u0001");
    }

    private void assertUsage(String[] args, String message) throws Exception {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = DeviceCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(DeviceCli.EXIT_USAGE);
        assertThat(e.toString(StandardCharsets.UTF_8)).startsWith(message).contains("usage: DeviceCli");
    }

    private CompletableFuture<Integer> runAsync(String... extra) {
        List<String> args = new ArrayList<>(List.of("--server", server.address(), "--app", "demo", "--device", "cli-1",
                "--token", "v1.9.abc"));
        args.addAll(List.of(extra));
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return CompletableFuture.supplyAsync(() -> DeviceCli.run(args.toArray(String[]::new), o, e));
    }

    private static List<String> lines(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
