package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.admin.AdminServer.AdminHandler.Reply;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class AppConnectionsTest {
    private final SessionIndex index = new SessionIndex();
    private final AppConnections route = new AppConnections(index);

    private void connect(String app, String device) {
        Session s = new Session(new EmbeddedChannel());
        s.appKey = index.intern(app);
        s.deviceId = device;
        s.state = Session.LIVE;
        index.register(s, (self, previous) -> null);
    }

    @Test
    void handle_whenNoAppAsked_thenOneLinePerAppWithConnections() {
        connect("shop", "d1");
        connect("shop", "d2");
        connect("news", "d1");

        Reply reply = route.handle(null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("app=news connections=1\napp=shop connections=2\n");
    }

    @Test
    void handle_whenOneAppAsked_thenItsLineEvenWithoutConnections() {
        connect("shop", "d1");

        assertThat(route.handle("app=shop").body()).isEqualTo("app=shop connections=1\n");
        assertThat(route.handle("x=1&app=my%20app").body()).isEqualTo("app=my app connections=0\n");
    }
}
