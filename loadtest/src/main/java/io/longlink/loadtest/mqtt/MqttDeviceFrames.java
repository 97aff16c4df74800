package io.longlink.loadtest.mqtt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.loadtest.wire.Frame;
import io.longlink.loadtest.wire.PushFields;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A load-generator device on MQTT 3.1.1: the generator writes device frames (CONNECT, PING, ACK,
 * DISCONNECT) and reads {@link Frame}s, and this turns them into MQTT packets and back, as
 * docs/protocol.md "MQTT" maps them. A QoS 1 PUBLISH's payload is the {@code Push} message, so it
 * reaches the generator as a PUSH frame; the generator's ACK of its id becomes the PUBACK of its
 * packet id. One per connection.
 */
public final class MqttDeviceFrames extends ChannelDuplexHandler {
    private static final byte[] EMPTY = new byte[0];

    private int keepAliveSeconds;
    /** Message id -> packet id of the QoS 1 PUBLISHes not yet PUBACKed; null while none. */
    private Map<Long, Integer> unacked;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            int type = frame.getUnsignedByte(frame.readerIndex());
            CodedInputStream body = body(frame);
            switch (type) {
                case FrameType.CONNECT_VALUE -> {
                    Connect c = Connect.parseFrom(body);
                    keepAliveSeconds = c.getHeartbeatSeconds();
                    ctx.write(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                            .clientId(c.getDeviceId()).hasUser(true).username(c.getAppKey()).hasPassword(true)
                            .password(c.getToken().getBytes(StandardCharsets.UTF_8)).keepAlive(keepAliveSeconds)
                            .cleanSession(false).build(), promise);
                }
                case FrameType.PING_VALUE -> ctx.write(MqttMessage.PINGREQ, promise);
                case FrameType.ACK_VALUE -> {
                    for (long id : Ack.parseFrom(body).getMessageIdsList()) {
                        Integer packetId = unacked == null ? null : unacked.remove(id);
                        if (packetId != null) {
                            ctx.write(MqttMessageBuilders.pubAck().packetId(packetId).build(), ctx.voidPromise());
                        }
                    }
                    if (unacked != null && unacked.isEmpty()) {
                        unacked = null;
                    }
                    promise.trySuccess();
                }
                case FrameType.DISCONNECT_VALUE -> ctx.write(MqttMessage.DISCONNECT, promise);
                default -> throw new IllegalArgumentException("a device does not send frame type " + type);
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws InvalidProtocolBufferException {
        if (!(msg instanceof MqttMessage m)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (m.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            switch (m.fixedHeader().messageType()) {
                case CONNACK -> ctx.fireChannelRead(new Frame(FrameType.CONNACK_VALUE,
                        connAck((MqttConnAckMessage) m).toByteArray()));
                case PINGRESP -> ctx.fireChannelRead(new Frame(FrameType.PONG_VALUE, EMPTY));
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) m;
                    byte[] push = ByteBufUtil.getBytes(p.payload());
                    if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                        if (unacked == null) {
                            unacked = new HashMap<>();
                        }
                        unacked.put(PushFields.parse(push).messageId(), p.variableHeader().packetId());
                    }
                    ctx.fireChannelRead(new Frame(FrameType.PUSH_VALUE, push));
                }
                default -> {
                    // SUBACK, UNSUBACK: nothing the generator needs
                }
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    /** MQTT 3.1.1 tells no granted keep alive: the device keeps what it asked for. */
    private ConnAck connAck(MqttConnAckMessage m) {
        MqttConnectReturnCode rc = m.variableHeader().connectReturnCode();
        ErrorCode code = switch (rc) {
            case CONNECTION_ACCEPTED -> ErrorCode.OK;
            case CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD -> ErrorCode.BAD_TOKEN;
            case CONNECTION_REFUSED_NOT_AUTHORIZED -> ErrorCode.UNKNOWN_APP;
            case CONNECTION_REFUSED_IDENTIFIER_REJECTED -> ErrorCode.INVALID_ARGUMENT;
            case CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION -> ErrorCode.UNSUPPORTED_VERSION;
            default -> ErrorCode.NODE_FULL;
        };
        return ConnAck.newBuilder().setCode(code).setHeartbeatSeconds(keepAliveSeconds).build();
    }

    private static CodedInputStream body(ByteBuf frame) {
        int i = frame.readerIndex() + 1;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = frame.getByte(i++);
            length |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        return CodedInputStream.newInstance(frame.nioBuffer(i, length));
    }
}
