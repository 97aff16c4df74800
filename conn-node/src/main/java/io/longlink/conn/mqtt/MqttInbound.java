package io.longlink.conn.mqtt;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * MQTT packets in, device frames out: CONNECT becomes {@link Connect}, PINGREQ {@link Ping}, the
 * PUBACKs of one read one {@link Ack} (so a client acknowledging many messages costs one frame of the
 * connection's frame rate, not one per message), DISCONNECT {@link Disconnect}. SUBSCRIBE and
 * UNSUBSCRIBE are answered here; everything a device may not send is refused through the node's one
 * disconnect path. Shared by every MQTT connection; its state is the {@link MqttConnection}.
 */
final class MqttInbound {
    /** SUBSCRIBE and UNSUBSCRIBE packets one connection may send: a device subscribes once, not in a loop. */
    static final int MAX_SUBSCRIBES = 16;
    private static final Disconnect BYE = Disconnect.newBuilder().setReason("MQTT DISCONNECT").build();

    private final FrameErrorSink errors;

    MqttInbound(FrameErrorSink errors) {
        this.errors = requireNonNull(errors, "errors");
    }

    void read(MqttConnection c, ChannelHandlerContext ctx, MqttMessage m) {
        try {
            if (c.has(MqttConnection.CLOSING)) {
                return;
            }
            DecoderResult result = m.decoderResult();
            if (result.isFailure()) {
                undecodable(c, ctx, m.fixedHeader(), result.cause());
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            if (type == MqttMessageType.PUBACK) {
                pubAck(c, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                return;
            }
            flushAcks(c, ctx); // keeps the order of what the device sent
            switch (type) {
                case CONNECT -> connect(c, ctx, (MqttConnectMessage) m);
                case PINGREQ -> ctx.fireChannelRead(Ping.INSTANCE);
                case SUBSCRIBE -> subscribe(c, ctx, (MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> unsubscribe(c, ctx, (MqttUnsubscribeMessage) m);
                case DISCONNECT -> ctx.fireChannelRead(BYE);
                case PUBLISH -> refuse(c, ctx, ErrorCode.MALFORMED_FRAME, MqttCodes.CLOSE, MqttCodes.NOT_AUTHORIZED,
                        "devices do not publish: the push topic is the server's");
                default -> refuse(c, ctx, ErrorCode.MALFORMED_FRAME, MqttCodes.CLOSE, MqttCodes.PROTOCOL_ERROR,
                        type + " is not a packet a device sends to Longlink");
            }
        } finally {
            ReferenceCountUtil.release(m); // a client PUBLISH holds its payload
        }
    }

    /** Hands the PUBACKs of this read to the session as one ACK. */
    void flushAcks(MqttConnection c, ChannelHandlerContext ctx) {
        Ack.Builder acks = c.acks;
        if (acks != null) {
            c.acks = null;
            ctx.fireChannelRead(acks.build());
        }
    }

    private static void pubAck(MqttConnection c, int packetId) {
        InFlight inFlight = c.inFlight;
        long id = inFlight == null ? 0 : inFlight.remove(packetId);
        if (inFlight != null && inFlight.isEmpty()) {
            c.inFlight = null;
        }
        if (c.acks == null) {
            c.acks = Ack.newBuilder(); // even without a known id: the PUBACK counts against the frame rate
        }
        if (id != 0) {
            c.acks.addMessageIds(id);
        }
    }

    private void undecodable(MqttConnection c, ChannelHandlerContext ctx, MqttFixedHeader header, Throwable cause) {
        if (header != null && header.messageType() == MqttMessageType.CONNECT) {
            c.flags |= MqttConnection.CONNECT_SEEN; // a refused CONNECT is answered with a CONNACK
        }
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            refuse(c, ctx, ErrorCode.UNSUPPORTED_VERSION, MqttCodes.V311_UNACCEPTABLE_VERSION, 0x84,
                    "MQTT protocol level not served: use 3.1.1 (level 4) or 5");
        } else if (cause instanceof MqttIdentifierRejectedException) {
            errors.reject(ctx.channel(), ErrorCode.INVALID_ARGUMENT, "client identifier rejected: " + cause.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            errors.reject(ctx.channel(), ErrorCode.FRAME_TOO_LARGE, "MQTT packet over the limit: " + cause.getMessage());
        } else {
            errors.reject(ctx.channel(), ErrorCode.MALFORMED_FRAME, "malformed MQTT packet: " + cause.getMessage());
        }
    }

    private void connect(MqttConnection c, ChannelHandlerContext ctx, MqttConnectMessage m) {
        if (c.has(MqttConnection.CONNECT_SEEN)) {
            ctx.fireChannelRead(Connect.getDefaultInstance()); // the session answers ALREADY_CONNECTED
            return;
        }
        c.flags |= MqttConnection.CONNECT_SEEN;
        MqttConnectVariableHeader h = m.variableHeader();
        MqttConnectPayload p = m.payload();
        if (h.version() != 4 && h.version() != 5) {
            refuse(c, ctx, ErrorCode.UNSUPPORTED_VERSION, MqttCodes.V311_UNACCEPTABLE_VERSION, 0x84,
                    "MQTT protocol level " + h.version() + " not served: use 3.1.1 (level 4) or 5");
            return;
        }
        c.version = (byte) h.version();
        if (c.version == 5) {
            MqttProperties props = h.properties();
            if (props.getProperty(MqttProperties.AUTHENTICATION_METHOD) != null) {
                refuse(c, ctx, ErrorCode.INVALID_ARGUMENT, MqttCodes.CLOSE, MqttCodes.BAD_AUTHENTICATION_METHOD,
                        "enhanced authentication is not supported: the password is the device token");
                return;
            }
            c.receiveMaximum = intProperty(props, MqttProperties.RECEIVE_MAXIMUM, 65_535);
            c.maxPacketBytes = intProperty(props, MqttProperties.MAXIMUM_PACKET_SIZE, 0);
        }
        if (h.isWillFlag()) {
            refuse(c, ctx, ErrorCode.INVALID_ARGUMENT, MqttCodes.V311_NOT_AUTHORIZED, MqttCodes.NOT_AUTHORIZED,
                    "a Will is not supported: devices do not publish");
            return;
        }
        if (!h.hasUserName() || p.userName() == null) {
            refuse(c, ctx, ErrorCode.INVALID_ARGUMENT, MqttCodes.V311_BAD_USER_NAME_OR_PASSWORD,
                    MqttCodes.BAD_USER_NAME_OR_PASSWORD, "the user name must be the app key");
            return;
        }
        if (!h.isCleanSession()) {
            c.flags |= MqttConnection.SESSION_PRESENT;
        }
        String app = p.userName();
        String device = p.clientIdentifier() == null ? "" : p.clientIdentifier();
        c.topic = MqttTopics.push(app, device);
        byte[] password = p.passwordInBytes();
        ctx.fireChannelRead(Connect.newBuilder()
                .setProtocolVersion(1)
                .setAppKey(app)
                .setDeviceId(device)
                .setToken(password == null ? "" : new String(password, StandardCharsets.UTF_8))
                .setHeartbeatSeconds(h.keepAliveTimeSeconds())
                .setClientVersion(c.version == 5 ? "mqtt/5" : "mqtt/3.1.1")
                .build());
    }

    private void subscribe(MqttConnection c, ChannelHandlerContext ctx, MqttSubscribeMessage m) {
        if (!allowSubscription(c, ctx, "SUBSCRIBE")) {
            return;
        }
        List<MqttTopicSubscription> topics = m.payload().topicSubscriptions();
        int[] codes = new int[topics.size()];
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription t = topics.get(i);
            String filter = t.topicFilter();
            if (filter.equals(c.topic)) {
                int qos = Math.min(t.qualityOfService().value(), MqttQoS.AT_LEAST_ONCE.value());
                c.flags = qos == 0 ? c.flags | MqttConnection.QOS0_ONLY : c.flags & ~MqttConnection.QOS0_ONLY;
                codes[i] = qos;
            } else if (c.version != 5) {
                codes[i] = MqttCodes.V311_SUBSCRIBE_FAILURE;
            } else if (MqttTopics.isShared(filter)) {
                codes[i] = MqttCodes.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
            } else if (MqttTopics.hasWildcard(filter)) {
                codes[i] = MqttCodes.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
            } else {
                codes[i] = MqttCodes.NOT_AUTHORIZED;
            }
        }
        ctx.writeAndFlush(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false,
                MqttQoS.AT_MOST_ONCE, false, 0), new MqttMessageIdAndPropertiesVariableHeader(
                m.variableHeader().messageId(), MqttProperties.NO_PROPERTIES), new MqttSubAckPayload(codes)));
    }

    /** Deliveries go on after an UNSUBSCRIBE: they do not wait for a subscription (docs/protocol.md). */
    private void unsubscribe(MqttConnection c, ChannelHandlerContext ctx, MqttUnsubscribeMessage m) {
        if (!allowSubscription(c, ctx, "UNSUBSCRIBE")) {
            return;
        }
        MqttMessageBuilders.UnsubAckBuilder ack = MqttMessageBuilders.unsubAck().packetId(
                m.variableHeader().messageId());
        for (String filter : m.payload().topics()) {
            ack.addReasonCode((short) (filter.equals(c.topic) ? MqttCodes.SUCCESS : MqttCodes.NO_SUBSCRIPTION_EXISTED));
        }
        ctx.writeAndFlush(ack.build());
    }

    private boolean allowSubscription(MqttConnection c, ChannelHandlerContext ctx, String what) {
        if (!c.has(MqttConnection.CONNACK_SENT)) {
            errors.reject(ctx.channel(), ErrorCode.NOT_CONNECTED, what + " before CONNACK: send CONNECT and wait for"
                    + " CONNACK first");
            return false;
        }
        if (++c.subscribes > MAX_SUBSCRIBES) {
            errors.reject(ctx.channel(), ErrorCode.RATE_LIMITED, "more than " + MAX_SUBSCRIBES
                    + " SUBSCRIBE and UNSUBSCRIBE packets on one connection");
            return false;
        }
        return true;
    }

    /** A refusal the adapter chooses: the ERROR that follows carries {@code code}, the CONNACK or DISCONNECT these. */
    private void refuse(MqttConnection c, ChannelHandlerContext ctx, ErrorCode code, int returnCode311,
                        int reasonCode5, String reason) {
        c.refusal311 = returnCode311;
        c.refusal5 = reasonCode5;
        errors.reject(ctx.channel(), code, reason);
    }

    private static int intProperty(MqttProperties props, int id, int otherwise) {
        MqttProperties.MqttProperty<?> p = props.getProperty(id);
        return p != null && p.value() instanceof Integer v ? v : otherwise;
    }
}
