package io.longlink.conn.mqtt;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;

/**
 * One MQTT connection's adapter between the MQTT codec and the session layer: MQTT packets in become
 * device frames ({@link MqttInbound}), device frames out become MQTT packets ({@link MqttOutbound}).
 * It only holds the connection's MQTT state; both mappers are shared. Event-loop only.
 */
final class MqttConnection extends ChannelDuplexHandler {
    static final int CONNECT_SEEN = 1;
    static final int CONNACK_SENT = 1 << 1;
    /** CONNACK says Session Present: the client asked to keep its session (the inbox is kept either way). */
    static final int SESSION_PRESENT = 1 << 2;
    /** The client subscribed to its push topic at QoS 0: every push goes at QoS 0. */
    static final int QOS0_ONLY = 1 << 3;
    /** An ERROR went out: the connection closes, nothing more is answered. */
    static final int CLOSING = 1 << 4;
    static final int NO_REFUSAL = Integer.MIN_VALUE;

    private final MqttInbound inbound;
    private final MqttOutbound outbound;

    int flags;
    /** MQTT protocol level of the CONNECT: 4 (3.1.1) or 5; 0 before a CONNECT of a level served here. */
    byte version;
    byte subscribes;
    /** A refusal the adapter chose (3.1.1 return code, 5 reason code): it replaces the mapped code of the ERROR. */
    int refusal311 = NO_REFUSAL;
    int refusal5 = NO_REFUSAL;
    /** MQTT 5 Receive Maximum of the client: QoS 1 PUBLISHes it takes unacknowledged. */
    int receiveMaximum = 65_535;
    /** MQTT 5 Maximum Packet Size of the client, 0 = none. */
    int maxPacketBytes;
    /** The device's push topic, set by its CONNECT. */
    String topic;
    /** The REDIRECT written just before a close, for the CONNACK or DISCONNECT that says it; null otherwise. */
    Redirect redirect;
    /** Null while no QoS 1 PUBLISH waits for its PUBACK. */
    InFlight inFlight;
    /** Message ids PUBACKed in the current read, handed to the session as one ACK; null when none. */
    Ack.Builder acks;

    MqttConnection(MqttInbound inbound, MqttOutbound outbound) {
        this.inbound = requireNonNull(inbound, "inbound");
        this.outbound = requireNonNull(outbound, "outbound");
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MqttMessage m) {
            inbound.read(this, ctx, m);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inbound.flushAcks(this, ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf frame) {
            outbound.write(this, ctx, frame, promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
