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
    void run_whenHelp_thenEveryCommandWithItsArguments() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("set-alias ID ALIAS", "add-tags ID TAG...",
                "status MESSAGE_ID", "watch-receipts", "nodes", "generate-completion", "LONGLINK_APP_SECRET");
    }

    @Test
    void run_whenCommandHelp_thenThatCommandsOptionsOnStdoutAndExit0() {
        assertThat(run("push", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: pushctl push").contains("--device=ID",
                "--not-tag=TAG", "--spread-ms=MS", "Exit codes: 0 done");
        assertThat(err()).isEmpty();
    }

    @Test
    void run_whenVersion_thenOneLineAndExit0() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("pushctl ").hasLineCount(1);
    }

    @Test
    void generateCompletion_thenBashScriptWithCommandsAndOptionValues() {
        assertThat(run("generate-completion")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("#!/usr/bin/env bash")
                .contains("complete -F _complete_pushctl", "register-device", "watch-receipts", "\"iot\"", "\"revoked\"");
    }

    @Test
    void run_whenCommandArgumentMissing_thenReasonAndThatCommandsUsageAndExit2() {
        assertThat(run("--app", "a", "--secret", "s", "set-alias", "d1")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: set-alias needs ALIAS").contains("usage: pushctl set-alias [-hV] ID ALIAS");
    }

    @Test
    void run_whenNumberOutOfRange_thenExit2NamingOptionAndRange() {
        assertThat(run("--timeout", "0", "nodes")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: --timeout: '0' (expected: an integer from 1 to 3600)");
        err.reset();
        assertThat(run("nodes", "--limit", "101")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: --limit: '101' (expected: an integer from 0 to 100)");
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
    void options_whenUnknownOptionAndArgumentMissing_thenUnknownOptionNamed() {
        assertThat(run("--app", "a", "--secret", "s", "set-alias", "--colour", "red")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: unknown option --colour");
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
    void choices_whenUnknownName_thenExit2ListingTheNames() {
        assertThat(run("--app", "a", "--secret", "s", "push", "--all", "--body", "x", "--priority", "urgent"))
                .isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: --priority: 'urgent' (expected: normal or high)");
        err.reset();
        assertThat(run("--app", "a", "--secret", "s", "watch-receipts", "--kind", "ACKED", "--kind", "seen"))
                .isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: --kind: 'seen' (expected: acked, stored, expired, revoked or dropped)");
    }

    @Test
    void watchReceipts_whenKindDroppedOrTheRemovedDelivered_thenDroppedIsAskedForAndDeliveredRefused() {
        // the kind parses, so the call is made: exit 1 because nothing listens there, not a usage error
        assertThat(run("--api", "127.0.0.1:1", "--timeout", "5", "--app", "a", "--secret", "s", "watch-receipts",
                "--kind", "dropped")).isEqualTo(PushCtl.FAILED);
        assertThat(err()).startsWith("error=UNAVAILABLE");
        err.reset();
        assertThat(run("--app", "a", "--secret", "s", "watch-receipts", "--kind", "delivered"))
                .isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: --kind: 'delivered' (expected: acked, stored, expired, revoked or dropped)");
    }

    @Test
    void quota_whenNoSubcommandOrNoQuotaGivenOrOutOfRange_thenExit2NamingWhy() {
        assertThat(run("--admin-token", "t", "quota")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: quota needs show or set");
        err.reset();
        assertThat(run("--admin-token", "t", "quota", "set", "app")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: quota set needs --pushes-per-s, --fanouts-per-s or --devices-per-call")
                .contains("usage: pushctl quota set");
        err.reset();
        assertThat(run("--admin-token", "t", "quota", "set", "app", "--devices-per-call", "1001"))
                .isEqualTo(PushCtl.USAGE);
        assertThat(err()).startsWith("pushctl: --devices-per-call: '1001' (expected: an integer from 0 to 1000)");
        err.reset();
        assertThat(run("quota", "show", "app")).isEqualTo(PushCtl.USAGE);
        assertThat(err()).contains("needs --admin-token");
    }

    @Test
    void run_whenHelp_thenTheQuotaCommandListed() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("quota", "quota show APP_KEY");
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
