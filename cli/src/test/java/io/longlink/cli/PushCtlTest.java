package io.longlink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Command-line handling that needs no server: usage errors exit 2 before any call is made. */
class PushCtlTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new PushCtl(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void run_whenNoCommand_thenUsageAndExit2() {
        assertThat(run()).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: no command given").contains("usage: pushctl");
    }

    @Test
    void run_whenHelp_thenUsageOnStdoutAndExit0() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("create-app NAME");
    }

    @Test
    void run_whenUnknownCommand_thenExit2() {
        assertThat(run("--api", "127.0.0.1:1", "frobnicate")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: unknown command 'frobnicate'");
    }

    @Test
    void push_whenNoOrTwoAudiences_thenExit2NamingThem() {
        assertThat(run("--app", "a", "--secret", "s", "push", "--body", "hi")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("push needs exactly one audience");
        err.reset();
        assertThat(run("--app", "a", "--secret", "s", "push", "--device", "d", "--all")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("(got device, all)");
    }

    @Test
    void push_whenNoAppCredentials_thenExit2() {
        assertThat(run("push", "--all", "--body", "x")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("needs --app and --secret");
    }

    @Test
    void options_whenValueMissingOrUnknown_thenExit2() {
        assertThat(run("--app", "a", "--secret", "s", "push", "--device")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("--device needs a value");
        err.reset();
        assertThat(run("--app", "a", "--secret", "s", "push", "--device", "d", "--colour", "red")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("unknown option --colour");
    }

    @Test
    void status_whenIdNotNumber_thenExit2() {
        assertThat(run("--app", "a", "--secret", "s", "status", "abc")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("MESSAGE_ID: 'abc' (expected: a message id printed by push)");
    }

    @Test
    void registerDevice_whenPlatformUnknown_thenExit2() {
        assertThat(run("--app", "a", "--secret", "s", "register-device", "d1", "--platform", "toaster"))
                .isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("--platform: 'toaster'");
    }

    @Test
    void createApp_whenNoAdminToken_thenExit2() {
        assertThat(run("create-app", "shop")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("needs --admin-token");
    }

    @Test
    void call_whenApiUnreachable_thenErrorLineAndExit1() {
        assertThat(run("--api", "127.0.0.1:1", "--timeout", "5", "nodes")).isEqualTo(PushCtl.FAILED);
        assertThat(err()).startsWith("error=UNAVAILABLE message=");
    }

    @Test
    void output_whenValueHasSpacesOrQuotes_thenQuoted() {
        assertThat(Output.line("a", "plain", "b", "two words", "c", "say \"hi\"", "d", ""))
                .isEqualTo("a=plain b=\"two words\" c=\"say \\\"hi\\\"\" d=\"\"");
    }
}
