package io.longlink.sdk.reconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.proto.device.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerListTest {
    private static final HostPort A = HostPort.parse("a.example:1");
    private static final HostPort B = HostPort.parse("b.example:2");
    private static final HostPort R = HostPort.parse("10.0.0.9:3");

    @Test
    void parse_whenValidForms_thenHostAndPort() {
        assertThat(HostPort.parse("push.example.com:7000")).isEqualTo(new HostPort("push.example.com", 7000));
        assertThat(HostPort.parse(" 127.0.0.1:1 ")).isEqualTo(new HostPort("127.0.0.1", 1));
        assertThat(HostPort.parse("[::1]:65535")).isEqualTo(new HostPort("::1", 65535));
        assertThat(HostPort.parse("[::1]:7000").toString()).isEqualTo("[::1]:7000");
    }

    @Test
    void parse_whenMalformed_thenErrorNamesTextAndExpectedForm() {
        for (String bad : List.of("", "host", "host:", ":7000", "host:0", "host:65536", "host:x", "::1:7000",
                "[::1]7000", "[::1]:", "ho st:1", "a/b:1", "host:-1")) {
            assertThatThrownBy(() -> HostPort.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("\"" + bad + "\" (expected host:port or [ipv6]:port, port 1..65535)");
        }
    }

    @Test
    void restMillis_whenTheCurrentServerRests_thenTheTimeLeftUntilItTakesDevicesAgain() {
        ServerList list = new ServerList(List.of(A, B));
        list.rest(A, 1_500, 1_000);

        assertThat(list.restMillis(1_000)).isEqualTo(500);
        assertThat(list.restMillis(1_499)).isEqualTo(1);
        assertThat(list.restMillis(1_500)).isZero();
        list.failed();
        assertThat(list.restMillis(1_000)).as("B does not rest").isZero();
    }

    @Test
    void rest_whenAskedTwice_thenTheLaterTimeHoldsAndEndedRestsAreForgotten() {
        ServerList list = new ServerList(List.of(A, B));
        list.rest(A, 3_000, 0);
        list.rest(A, 2_000, 0);
        assertThat(list.restMillis(0)).isEqualTo(3_000);

        list.rest(B, 10_000, 5_000);

        assertThat(list.restMillis(5_000)).as("A's rest ended and was dropped").isZero();
        list.failed();
        assertThat(list.restMillis(5_000)).isEqualTo(5_000);
    }

    @Test
    void current_whenAttemptsFail_thenRotatesInOrder() {
        ServerList list = new ServerList(List.of(A, B));
        List<HostPort> tried = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tried.add(list.current());
            list.failed();
        }
        assertThat(tried).containsExactly(A, B, A, B);
    }

    @Test
    void current_whenNoFailure_thenStaysOnTheServerThatWorked() {
        ServerList list = new ServerList(List.of(A, B));
        list.failed();
        assertThat(list.current()).isEqualTo(B);
        assertThat(list.current()).isEqualTo(B);
    }

    @Test
    void failed_whenEveryServerFailedInTheRound_thenRoundOverUntilTheNextStarts() {
        ServerList list = new ServerList(List.of(A, B));
        assertThat(list.failed()).as("B not tried yet").isFalse();
        assertThat(list.failed()).as("A and B failed").isTrue();
        assertThat(list.current()).isEqualTo(A);
        list.newRound();
        assertThat(list.failed()).isFalse();
    }

    @Test
    void failed_whenRedirectTargetsAndConfiguredServersFail_thenRoundCoversEachOnce() {
        ServerList list = new ServerList(List.of(A, B));
        list.redirect(List.of(R, B));
        assertThat(list.failed()).as("R failed, B next").isFalse();
        assertThat(list.failed()).as("B failed, A next").isFalse();
        assertThat(list.failed()).as("A failed, B next but it failed already").isTrue();
    }

    @Test
    void use_whenSuppliedListChanges_thenItsHeadFirstAndConfiguredWhenEmpty() {
        ServerList list = new ServerList(List.of(A, B));
        list.use(List.of(R, B));
        assertThat(list.current()).isEqualTo(R);
        list.failed();
        list.use(List.of(R, B));
        assertThat(list.current()).as("same list: position kept").isEqualTo(B);
        list.use(List.of());
        assertThat(list.current()).as("nothing supplied: the configured servers").isEqualTo(A);
    }

    @Test
    void use_whenSuppliedListTooLong_thenBounded() {
        ServerList list = new ServerList(List.of(A));
        list.use(hosts(150));
        int failures = 1;
        while (!list.failed()) {
            failures++;
        }
        assertThat(failures).isEqualTo(ServerList.MAX_SUPPLIED_ADDRESSES);
    }

    @Test
    void redirect_whenTargetsFail_thenBackToConfiguredServers() {
        ServerList list = new ServerList(List.of(A, B));
        list.redirect(List.of(R, B));
        assertThat(list.current()).isEqualTo(R);
        list.failed();
        assertThat(list.current()).isEqualTo(B);
        list.failed();
        assertThat(list.current()).isEqualTo(A);
    }

    @Test
    void redirect_whenEmpty_thenConfiguredServers() {
        ServerList list = new ServerList(List.of(A));
        list.redirect(List.of(R));
        list.redirect(List.of());
        assertThat(list.current()).isEqualTo(A);
    }

    @Test
    void redirect_whenTooManyAddresses_thenBounded() {
        ServerList list = new ServerList(List.of(A));
        list.redirect(hosts(100));
        int redirected = 0;
        while (!list.current().equals(A)) {
            redirected++;
            list.failed();
        }
        assertThat(redirected).isEqualTo(ServerList.MAX_REDIRECT_ADDRESSES);
    }

    private static List<HostPort> hosts(int count) {
        List<HostPort> hosts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            hosts.add(new HostPort("h" + i, i));
        }
        return hosts;
    }

    @Test
    void constructor_whenEmpty_thenClearError() {
        assertThatThrownBy(() -> new ServerList(List.of())).hasMessageContaining("servers: empty");
    }

    @Test
    void reaction_whenServerCodes_thenFatalOnesStopAndTokenOnesRefresh() {
        assertThat(Reaction.to(ErrorCode.UNKNOWN_APP)).isEqualTo(Reaction.STOP);
        assertThat(Reaction.to(ErrorCode.UNSUPPORTED_VERSION)).isEqualTo(Reaction.STOP);
        assertThat(Reaction.to(ErrorCode.INVALID_ARGUMENT)).isEqualTo(Reaction.STOP);
        assertThat(Reaction.to(ErrorCode.BAD_TOKEN)).isEqualTo(Reaction.REFRESH_TOKEN);
        assertThat(Reaction.to(ErrorCode.TOKEN_EXPIRED)).isEqualTo(Reaction.REFRESH_TOKEN);
        for (ErrorCode transientCode : List.of(ErrorCode.INTERNAL, ErrorCode.SERVER_DRAINING, ErrorCode.RATE_LIMITED,
                ErrorCode.IDLE_TIMEOUT, ErrorCode.SLOW_READER, ErrorCode.UNRECOGNIZED)) {
            assertThat(Reaction.to(transientCode)).as(transientCode.name()).isEqualTo(Reaction.RETRY);
        }
    }
}
