package io.longlink.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RouteTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parse_whenNodeAndConnection_thenBoth() {
        assertThat(Route.parse(b("conn-1|c-42"))).isEqualTo(new Route("conn-1", "c-42"));
    }

    @Test
    void parse_whenOnlyNode_thenAnyConnection() {
        assertThat(Route.parse(b("conn-1"))).isEqualTo(new Route("conn-1", ""));
    }

    @Test
    void parse_whenMissingEmptyOrNoNode_thenNoRoute() {
        assertThat(Route.parse((byte[]) null)).isNull();
        assertThat(Route.parse((String) null)).isNull();
        assertThat(Route.parse(new byte[0])).isNull();
        assertThat(Route.parse(b("|c-1"))).isNull();
    }

    @Test
    void value_roundTripsThroughParse_evenWhenTheNodeIdHoldsABar() {
        Route r = new Route("zone|a-conn-1", "00ff00ff00ff00ff");
        assertThat(r.value()).isEqualTo("zone|a-conn-1|00ff00ff00ff00ff");
        assertThat(Route.parse(r.value())).isEqualTo(r);
        assertThat(RedisKeys.routeValue("conn-1", "ab")).isEqualTo(new Route("conn-1", "ab").value());
    }
}
