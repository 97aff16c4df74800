package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.APP;
import static io.longlink.conn.session.SessionFixture.NODE;
import static io.longlink.conn.session.SessionFixture.SECRET;
import static io.longlink.conn.session.SessionFixture.connect;
import static io.longlink.conn.session.SessionFixture.frames;
import static io.longlink.conn.session.SessionFixture.next;
import static io.longlink.conn.session.SessionFixture.push;
import static io.longlink.conn.session.SessionFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.token.DeviceToken;
import io.longlink.conn.session.FakeStores.Kick;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ConnectFlowTest {
    @AutoClose
    private final SessionFixture node = new SessionFixture();

    private static String route(Session s) {
        return NODE + "|" + s.connectionIdText();
    }

    /** A refused CONNECT: CONNACK with the code, then ERROR with the same code and reason, then the close. */
    private void assertRefused(EmbeddedChannel ch, ErrorCode code) {
        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.CONNACK, FrameType.ERROR);
        ConnAck ack = frames.get(0).connAck();
        assertThat(ack.getCode()).isEqualTo(code);
        assertThat(ack.getReason()).isNotBlank();
        assertThat(ack.getSessionId()).isEmpty();
        assertThat(ack.getNodeId()).isEqualTo(NODE);
        assertThat(frames.get(1).error().getCode()).isEqualTo(code);
        assertThat(frames.get(1).error().getReason()).isEqualTo(ack.getReason());
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.metric("longlink_conn_connect_failures_total", "code", code.name())).isEqualTo(1);
    }

    /** Sends CONNECT while {@code replies} are held: the flow waits at that store. */
    private EmbeddedChannel connectingHeldAt(Replies replies) {
        replies.hold();
        return node.connecting("d1");
    }

    private EmbeddedChannel refused(Connect c, ErrorCode code) {
        EmbeddedChannel ch = node.open();
        ch.writeInbound(c);
        assertRefused(ch, code);
        assertThat(node.stores.routes.values).isEmpty();
        assertThat(node.index.size()).isZero();
        return ch;
    }

    @Test
    void connect_whenTokenValid_thenRegisteredRouteClaimedAndConnAckOk() {
        EmbeddedChannel ch = node.connecting("d1");

        ConnAck ack = next(ch).connAck();
        Session s = session(ch);
        assertThat(ack.getCode()).isEqualTo(ErrorCode.OK);
        assertThat(ack.getSessionId()).isEqualTo(s.connectionIdText()).hasSize(16);
        assertThat(ack.getNodeId()).isEqualTo(NODE);
        assertThat(ack.getHeartbeatSeconds()).isEqualTo(60);
        assertThat(ack.getHeartbeatMinSeconds()).isEqualTo(10);
        assertThat(ack.getHeartbeatMaxSeconds()).isEqualTo(300);
        assertThat(node.stores.routes.values).containsEntry(RedisKeys.route(APP, "d1"), route(s));
        assertThat(node.index.find(APP, "d1")).isSameAs(s);
        assertThat(s.state()).isEqualTo(Session.LIVE); // empty inbox and log: the catch-up is over at once
        assertThat(node.metric("longlink_conn_connects_total")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_inbox_drains_total")).isEqualTo(1);
    }

    @Test
    void connect_whenHeartbeatOutsideRange_thenClampedInConnAck() {
        EmbeddedChannel ch = node.open();
        ch.writeInbound(connect("d1").toBuilder().setHeartbeatSeconds(3).build());
        assertThat(next(ch).connAck().getHeartbeatSeconds()).isEqualTo(10);
    }

    @Test
    void connect_whenProtocolVersionUnknown_thenUnsupportedVersion() {
        refused(connect("d1").toBuilder().setProtocolVersion(2).build(), ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void connect_whenDeviceIdInvalid_thenInvalidArgument() {
        refused(connect("d1").toBuilder().setDeviceId("has space").build(), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void connect_whenTokenMissing_thenBadTokenWithoutAskingTheRegistry() {
        node.stores.apps.replies.fail(new IllegalStateException("must not be asked"));
        refused(connect("d1").toBuilder().clearToken().build(), ErrorCode.BAD_TOKEN);
    }

    @Test
    void connect_whenTokenSignedForAnotherDevice_thenBadToken() {
        refused(connect("d1").toBuilder().setToken(SessionFixture.token("d2")).build(), ErrorCode.BAD_TOKEN);
    }

    @Test
    void connect_whenTokenExpired_thenTokenExpired() {
        String expired = DeviceToken.mint(SECRET, APP, "d1", System.currentTimeMillis() / 1000 - 60);
        refused(connect("d1").toBuilder().setToken(expired).build(), ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void connect_whenAppUnknown_thenUnknownApp() {
        node.stores.apps.secrets.clear();
        refused(connect("d1"), ErrorCode.UNKNOWN_APP);
    }

    @Test
    void connect_whenAppRegistryFails_thenInternalAndCounted() {
        node.stores.apps.replies.fail(new IllegalStateException("redis down"));
        refused(connect("d1"), ErrorCode.INTERNAL);
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "app_registry")).isEqualTo(1);
    }

    @Test
    void connect_whenNodeDraining_thenServerDrainingWithRedirectBeforeError() {
        node.draining = true;
        EmbeddedChannel ch = node.connecting("d1");

        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type)
                .containsExactly(FrameType.CONNACK, FrameType.REDIRECT, FrameType.ERROR);
        assertThat(frames.get(0).connAck().getCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
        assertThat(frames.get(1).redirect()).isEqualTo(node.redirect);
        assertThat(frames.get(2).error().getCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.metric("longlink_conn_connect_failures_total", "code", "SERVER_DRAINING")).isEqualTo(1);
    }

    @Test
    void connect_whenDrainStartsWhileAppIsLookedUp_thenServerDrainingAndNothingClaimed() {
        EmbeddedChannel ch = connectingHeldAt(node.stores.apps.replies);
        node.draining = true;
        node.stores.apps.replies.release();

        assertThat(next(ch).connAck().getCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
        assertThat(node.stores.routes.values).isEmpty();
    }

    @Test
    void connect_whenRouteClaimFails_thenInternalAndTheMaybeWrittenRouteDeleted() {
        EmbeddedChannel ch = connectingHeldAt(node.stores.routes.replies);
        String value = route(session(ch));
        node.stores.routes.replies.fail(new IllegalStateException("redis down"));
        node.stores.routes.replies.release();

        assertRefused(ch, ErrorCode.INTERNAL);
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "route_store")).isEqualTo(1);
        assertThat(node.stores.routes.deleted).containsExactly(value);
        assertThat(node.index.find(APP, "d1")).isNull();
    }

    @Test
    void connect_whenDeviceConnectedOnThisNode_thenPreviousKickedLocallyAndRouteNamesTheNewOne() {
        EmbeddedChannel first = node.live("d1");
        EmbeddedChannel second = node.live("d1");
        first.runPendingTasks(); // the kick runs as a task on the old connection's loop

        List<SessionFixture.Frame> frames = frames(first);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.KICK, FrameType.ERROR);
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
        assertThat(first.isOpen()).isFalse();
        assertThat(node.metric("longlink_conn_kicks_total", "kind", "local")).isEqualTo(1);
        assertThat(node.stores.peers.kicks).isEmpty();
        assertThat(node.index.find(APP, "d1")).isSameAs(session(second));
        // the old connection's close deletes only its own route value
        assertThat(node.stores.routes.values).containsEntry(RedisKeys.route(APP, "d1"), route(session(second)));
    }

    @Test
    void connect_whenRouteNamedAnotherNode_thenThatConnectionKickedThroughThePeer() {
        node.stores.routes.values.put(RedisKeys.route(APP, "d1"), "node-b|00000000000000ab");
        node.live("d1");
        assertThat(node.stores.peers.kicks).containsExactly(new Kick(APP, "d1", "node-b", "00000000000000ab"));
    }

    @Test
    void connect_whenPreviousRouteUnreadable_thenNobodyKicked() {
        node.stores.routes.values.put(RedisKeys.route(APP, "d1"), "garbage");
        node.live("d1");
        assertThat(node.stores.peers.kicks).isEmpty();
    }

    @Test
    void close_whenRouteClaimStillInFlight_thenRouteDeletedOnceTheClaimAnswers() {
        EmbeddedChannel ch = connectingHeldAt(node.stores.routes.replies);
        String value = route(session(ch));
        ch.close();
        assertThat(node.stores.routes.deleted).isEmpty();
        assertThat(node.index.find(APP, "d1")).isNull();

        node.stores.routes.replies.release();
        assertThat(node.stores.routes.deleted).containsExactly(value);
        assertThat(node.stores.routes.values).isEmpty();
        assertThat(ch.outboundMessages()).isEmpty(); // no CONNACK for a closed connection
    }

    @Test
    void close_whenLive_thenUnregisteredAndRouteDeleted() {
        EmbeddedChannel ch = node.live("d1");
        String value = route(session(ch));
        ch.close();
        assertThat(node.index.find(APP, "d1")).isNull();
        assertThat(node.stores.routes.deleted).containsExactly(value);
        assertThat(node.stores.routes.values).isEmpty();
    }

    @Test
    void close_whenStillAuthenticating_thenNoRouteWrittenAndLateAnswerIgnored() {
        EmbeddedChannel ch = connectingHeldAt(node.stores.apps.replies);
        ch.close();
        node.stores.apps.replies.release();
        assertThat(node.stores.routes.values).isEmpty();
        assertThat(node.stores.routes.deleted).isEmpty();
        assertThat(ch.outboundMessages()).isEmpty();
    }

    /** The next PING renews the route: the last renewal was a third of its TTL ago. */
    private void renewalDue(EmbeddedChannel ch) {
        session(ch).renewedTick = -node.settings.renewTicks();
        ch.writeInbound(io.longlink.conn.codec.Ping.INSTANCE);
        assertThat(next(ch).type()).isEqualTo(FrameType.PONG);
    }

    @Test
    void ping_whenTheRouteVanished_thenClaimedAgainAndTheInboxWritten() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        node.stores.routes.values.clear(); // a Redis restart lost it
        node.stores.inboxes.add("d1", push(5)); // routers found no route: stored only

        renewalDue(ch);
        assertThat(frames(ch)).extracting(f -> f.push().getMessageId()).containsExactly(5L);
        assertThat(node.stores.routes.values).containsValue(route(s));
        assertThat(s.state()).isEqualTo(Session.LIVE);
    }

    @Test
    void ping_whenTheRouteNamesAnotherConnection_thenThisOneClosedKicked() {
        EmbeddedChannel ch = node.live("d1");
        node.stores.routes.values.put(RedisKeys.route(APP, "d1"), "node-b|00000000000000ff");

        renewalDue(ch);
        ch.runPendingTasks();
        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.KICK, FrameType.ERROR);
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.stores.routes.values).containsValue("node-b|00000000000000ff");
    }

    /** A live device whose fan-out ACKs moved its log position to 7, not written yet. */
    private EmbeddedChannel positionMovedByAcks() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        s.logPosition = 7;
        s.flags |= Session.F_SEEN_DIRTY;
        return ch;
    }

    @Test
    void ping_whenTheAcksMovedTheLogPosition_thenWrittenWithTheRenewalOnly() {
        EmbeddedChannel ch = positionMovedByAcks();
        ch.writeInbound(io.longlink.conn.codec.Ping.INSTANCE);
        assertThat(node.stores.logs.marked).isEmpty();

        renewalDue(ch);
        assertThat(node.stores.logs.marked).containsExactly(7L);
        renewalDue(ch);
        assertThat(node.stores.logs.marked).containsExactly(7L);
    }

    @Test
    void close_whenTheAcksMovedTheLogPosition_thenWritten() {
        EmbeddedChannel ch = positionMovedByAcks();
        ch.close();
        assertThat(node.stores.logs.marked).containsExactly(7L);
    }

    @Test
    void ping_whenAReDrainStoppedOnAStoreError_thenTriedAgainWithTheRenewal() {
        EmbeddedChannel ch = node.live("d1");
        session(ch).flags |= Session.F_LOG_GAP;
        node.stores.inboxes.add("d1", push(5));
        renewalDue(ch);
        assertThat(frames(ch)).extracting(f -> f.push().getMessageId()).containsExactly(5L);
        assertThat(node.metric("longlink_conn_inbox_redrains_total")).isEqualTo(1);
    }

    @Test
    void ping_whenAThirdOfTheRouteTtlPassed_thenRouteRenewedWhileTheSessionOwnsIt() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        ch.writeInbound(io.longlink.conn.codec.Ping.INSTANCE);
        assertThat(node.stores.routes.renewed).isEmpty(); // renewed at CONNACK, same tick

        s.renewedTick = -node.settings.renewTicks(); // the last renewal was a third of the TTL ago
        ch.writeInbound(io.longlink.conn.codec.Ping.INSTANCE);
        assertThat(node.stores.routes.renewed).containsExactly(route(s));
        assertThat(s.state()).isEqualTo(Session.LIVE);
        ch.close();
        assertThat(node.stores.routes.deleted).containsExactly(route(s)); // the renewal does not outlive it
    }
}
