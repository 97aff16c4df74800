package io.longlink.conn.mqtt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.longlink.conn.codec.Frames;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.io.IOException;

/**
 * Device frames out, MQTT packets in their place: CONNACK OK becomes an accepting CONNACK, PONG a
 * PINGRESP, PUSH a PUBLISH on the device's topic, and the ERROR before a close the refusing CONNACK
 * (before a CONNACK) or, on MQTT 5, a DISCONNECT with its reason code (docs/protocol.md, "MQTT"). A
 * refused CONNACK, KICK and REDIRECT say nothing the ERROR after them does not; a REDIRECT's addresses
 * go into the MQTT 5 Server Reference. The frames are read with absolute indexes: a fan-out PUSH is
 * one buffer shared by many channels. Every frame is released here; a frame that becomes no packet
 * completes its promise with an empty write, so a close that waits for it still follows what was
 * written before.
 */
final class MqttOutbound {
    /** First byte of a PUBLISH: type 3, no DUP, no RETAIN, QoS 0 or 1. */
    private static final int PUBLISH_QOS0 = 0x30;
    private static final int PUBLISH_QOS1 = 0x32;
    private final int maxPacketBytes;
    private final int inflightMax;

    /**
     * @param maxPacketBytes the largest packet the node reads from a device (its MQTT 5 Maximum Packet Size)
     * @param inflightMax    QoS 1 PUBLISHes a connection may leave unacknowledged
     */
    MqttOutbound(int maxPacketBytes, int inflightMax) {
        this.maxPacketBytes = maxPacketBytes;
        this.inflightMax = inflightMax;
    }

    void write(MqttConnection c, ChannelHandlerContext ctx, ByteBuf frame, ChannelPromise promise) {
        try {
            int at = frame.readerIndex();
            int type = frame.getUnsignedByte(at);
            int length = 0;
            int i = at + 1;
            for (int shift = 0; ; shift += 7) {
                byte b = frame.getByte(i++);
                length |= (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            switch (type) {
                case FrameType.PUSH_VALUE -> publish(c, ctx, frame, i, length, promise);
                case FrameType.PONG_VALUE -> ctx.write(MqttMessage.PINGRESP, promise);
                case FrameType.CONNACK_VALUE -> connAck(c, ctx, ConnAck.parseFrom(input(frame, i, length)), promise);
                case FrameType.REDIRECT_VALUE -> {
                    c.redirect = Redirect.parseFrom(input(frame, i, length));
                    nothing(ctx, promise);
                }
                case FrameType.ERROR_VALUE -> error(c, ctx, Error.parseFrom(input(frame, i, length)), promise);
                default -> nothing(ctx, promise); // KICK: the ERROR KICKED after it says it
            }
        } catch (IOException e) {
            promise.tryFailure(e); // the node encoded this frame itself: a defect, reported by the exception handler
        } finally {
            frame.release();
        }
    }

    private void publish(MqttConnection c, ChannelHandlerContext ctx, ByteBuf frame, int body, int length,
                         ChannelPromise promise) throws IOException {
        PushView push = PushView.read(frame, body, length);
        int packetId = 0;
        // a message with a TTL is in the inbox (or the log) until ACKed: QoS 1, its PUBACK is the ACK
        if (push.expiresAtMs() > 0 && !c.has(MqttConnection.QOS0_ONLY)) {
            if (c.inFlight == null) {
                c.inFlight = new InFlight(Math.max(1, Math.min(inflightMax, c.receiveMaximum)));
            }
            packetId = c.inFlight.add(push.messageId());
            if (packetId == 0 && c.inFlight.isEmpty()) {
                c.inFlight = null;
            }
        }
        if (c.version != 5) {
            publish311(c, ctx, frame, body, length, packetId, promise);
            return;
        }
        MqttProperties props = publishProperties(push);
        ByteBuf payload = frame.retainedSlice(push.payloadIndex(), push.payloadLength());
        if (c.maxPacketBytes > 0 && packetSizeAtMost(c, payload.readableBytes(), props) > c.maxPacketBytes) {
            // MQTT 5: a packet over the client's limit is dropped as if sent; the inbox keeps a TTL message
            payload.release();
            if (packetId != 0) {
                c.inFlight.remove(packetId);
            }
            nothing(ctx, promise);
            return;
        }
        MqttQoS qos = packetId == 0 ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
        ctx.write(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
                new MqttPublishVariableHeader(c.topic, packetId, props), payload), promise);
    }

    /**
     * A 3.1.1 PUBLISH, encoded here in one buffer: fixed header, the device's topic, the packet id
     * (QoS 1) and the {@code Push} message itself as the payload, which carries the message id. A
     * fan-out writes this for thousands of connections per message: no codec objects and no topic
     * validation per copy (the node built the topic from the device's own CONNECT).
     */
    private static void publish311(MqttConnection c, ChannelHandlerContext ctx, ByteBuf frame, int body, int length,
                                   int packetId, ChannelPromise promise) {
        int topicBytes = ByteBufUtil.utf8Bytes(c.topic);
        int remaining = 2 + topicBytes + (packetId == 0 ? 0 : 2) + length;
        ByteBuf out = ctx.alloc().ioBuffer(1 + CodedOutputStream.computeUInt32SizeNoTag(remaining) + remaining);
        out.writeByte(packetId == 0 ? PUBLISH_QOS0 : PUBLISH_QOS1);
        Frames.writeVarint32(out, remaining); // MQTT's remaining length is the same varint
        out.writeShort(topicBytes);
        ByteBufUtil.reserveAndWriteUtf8(out, c.topic, topicBytes);
        if (packetId != 0) {
            out.writeShort(packetId);
        }
        out.writeBytes(frame, body, length);
        ctx.write(out, promise);
    }

    private static MqttProperties publishProperties(PushView push) {
        MqttProperties props = new MqttProperties();
        UserProperties user = new UserProperties();
        user.add("message-id", Long.toUnsignedString(push.messageId()));
        if (push.sentAtMs() > 0) {
            user.add("sent-at-ms", Long.toString(push.sentAtMs()));
        }
        if (!push.collapseKey().isEmpty()) {
            user.add("collapse-key", push.collapseKey());
        }
        if (push.notification() != null) {
            user.add("notification-title", push.notification().getTitle());
            user.add("notification-body", push.notification().getBody());
        }
        props.add(user);
        if (push.expiresAtMs() > 0) {
            long left = push.expiresAtMs() - System.currentTimeMillis();
            props.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL,
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999) / 1000))));
        }
        return props;
    }

    /**
     * An upper bound of the PUBLISH's encoded size (fixed header with the longest length, topic, packet
     * id, properties, payload): a packet that may exceed the client's limit is not sent.
     */
    private static long packetSizeAtMost(MqttConnection c, int payload, MqttProperties props) {
        long size = 1 + 4 + 2 + ByteBufUtil.utf8Bytes(c.topic) + 2 + 4 + 5 + payload; // 5: the expiry interval
        for (MqttProperties.MqttProperty<?> p : props.listAll()) {
            if (p instanceof UserProperties u) {
                for (MqttProperties.StringPair pair : u.value()) {
                    size += 5 + ByteBufUtil.utf8Bytes(pair.key) + ByteBufUtil.utf8Bytes(pair.value);
                }
            }
        }
        return size;
    }

    private void connAck(MqttConnection c, ChannelHandlerContext ctx, ConnAck ack, ChannelPromise promise) {
        if (ack.getCode() != ErrorCode.OK) {
            nothing(ctx, promise); // the ERROR with the same code follows: it becomes the refusing CONNACK
            return;
        }
        c.flags |= MqttConnection.CONNACK_SENT;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (c.version == 5) {
            props = new MqttProperties();
            props.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, ack.getHeartbeatSeconds()));
            props.add(new IntegerProperty(MqttProperties.MAXIMUM_QOS, 1));
            props.add(new IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 0));
            props.add(new IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
            props.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
            props.add(new IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
            props.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, maxPacketBytes));
            UserProperties user = new UserProperties();
            user.add("session-id", ack.getSessionId());
            user.add("node-id", ack.getNodeId());
            user.add("heartbeat-min-s", Integer.toString(ack.getHeartbeatMinSeconds()));
            user.add("heartbeat-max-s", Integer.toString(ack.getHeartbeatMaxSeconds()));
            props.add(user);
        }
        ctx.write(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(c.has(MqttConnection.SESSION_PRESENT)).properties(props).build(), promise);
    }

    /** The last frame before a close: what MQTT can say of it, then (after the write) the close. */
    private static void error(MqttConnection c, ChannelHandlerContext ctx, Error error, ChannelPromise promise) {
        c.flags |= MqttConnection.CLOSING;
        Redirect redirect = c.redirect;
        c.redirect = null;
        boolean redirected = redirect != null && redirect.getAddressesCount() > 0;
        if (!c.has(MqttConnection.CONNECT_SEEN)) {
            nothing(ctx, promise); // no CONNECT to answer, and MQTT has no packet for it: the close says it
        } else if (!c.has(MqttConnection.CONNACK_SENT)) {
            refuseConnect(c, ctx, error, redirect, redirected, promise);
        } else if (c.version == 5) {
            int reason = c.refusal5 != MqttConnection.NO_REFUSAL ? c.refusal5
                    : MqttCodes.disconnect5(error.getCode(), redirected);
            ctx.write(MqttMessageBuilders.disconnect().reasonCode((byte) reason)
                    .properties(closeProperties(error, redirect, redirected)).build(), promise);
        } else {
            nothing(ctx, promise); // 3.1.1 has no server DISCONNECT: the close says it
        }
    }

    private static void refuseConnect(MqttConnection c, ChannelHandlerContext ctx, Error error, Redirect redirect,
                                      boolean redirected, ChannelPromise promise) {
        if (c.version == 5) {
            int reason = c.refusal5 != MqttConnection.NO_REFUSAL ? c.refusal5
                    : MqttCodes.connAck5(error.getCode(), redirected);
            ctx.write(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.valueOf((byte) reason))
                    .properties(closeProperties(error, redirect, redirected)).build(), promise);
            return;
        }
        int code = c.refusal311 != MqttConnection.NO_REFUSAL ? c.refusal311 : MqttCodes.connAck311(error.getCode());
        if (code == MqttCodes.CLOSE) {
            nothing(ctx, promise);
            return;
        }
        ctx.write(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.valueOf((byte) code)).build(),
                promise);
    }

    /** MQTT 5: the ERROR's reason, the REDIRECT's addresses (Server Reference) and its retry_after_ms. */
    private static MqttProperties closeProperties(Error error, Redirect redirect, boolean redirected) {
        MqttProperties props = new MqttProperties();
        props.add(new StringProperty(MqttProperties.REASON_STRING, error.getReason()));
        if (redirected) {
            props.add(new StringProperty(MqttProperties.SERVER_REFERENCE, String.join(" ",
                    redirect.getAddressesList())));
        }
        UserProperties user = new UserProperties();
        user.add("longlink-error", error.getCode().name());
        if (redirect != null && redirect.getRetryAfterMs() > 0) {
            user.add("retry-after-ms", Integer.toString(redirect.getRetryAfterMs()));
        }
        props.add(user);
        return props;
    }

    /** A frame with no MQTT packet: its promise completes once everything written before it is. */
    private static void nothing(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.write(Unpooled.EMPTY_BUFFER, promise);
    }

    private static CodedInputStream input(ByteBuf frame, int index, int length) {
        return CodedInputStream.newInstance(frame.nioBuffer(index, length));
    }
}
