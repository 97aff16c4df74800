package io.longlink.loadtest.unicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisCommandWindowTest {
    @Test
    void parse_whenCommandstats_thenCallsAndMicrosOfEachCommand() {
        String info = "# Commandstats\r\n"
                + "cmdstat_zadd:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0\r\n"
                + "cmdstat_hset:calls=7000,usec=9100,usec_per_call=1.30,rejected_calls=0,failed_calls=0\r\n"
                + "\r\n";

        Map<String, long[]> stats = RedisCommandWindow.parse(info);

        assertThat(stats).containsOnlyKeys("zadd", "hset");
        assertThat(stats.get("zadd")).containsExactly(12, 34);
        assertThat(stats.get("hset")).containsExactly(7000, 9100);
    }

    @Test
    void parse_whenOtherSectionsOrMalformedLines_thenIgnored() {
        assertThat(RedisCommandWindow.parse("# Server\nredis_version:7.0.15\ncmdstat_broken\n")).isEmpty();
    }
}
