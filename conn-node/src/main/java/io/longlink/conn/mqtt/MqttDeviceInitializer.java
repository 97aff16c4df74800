package io.longlink.conn.mqtt;

import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.tcp.AbstractDeviceInitializer;
import io.longlink.conn.tcp.HandlerNames;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;

/**
 * The MQTT 3.1.1/5 device listener: Netty's MQTT codec, then one {@link MqttConnection} that turns
 * MQTT packets into device frames and back, so the session layer serves MQTT devices as TCP ones.
 */
public final class MqttDeviceInitializer extends AbstractDeviceInitializer {
    /** Longest client identifier the decoder takes: a device id is at most 128 characters. */
    private static final int MAX_CLIENT_ID = 128;

    private final int maxPacketBytes;
    private final MqttInbound inbound;
    private final MqttOutbound outbound;

    /**
     * @param maxPacketBytes largest MQTT packet a device may send (conn.max-frame-bytes): the decoder
     *                       refuses a longer one from its fixed header, before reading its body
     * @param inflightMax    QoS 1 PUBLISHes a connection may leave unacknowledged (conn.mqtt.inflight-max)
     */
    public MqttDeviceInitializer(SslContext tls, ChannelHandler session, ChannelHandler exceptions,
                                 int maxPacketBytes, int inflightMax, FrameErrorSink errors) {
        super(tls, session, exceptions);
        this.maxPacketBytes = maxPacketBytes;
        this.inbound = new MqttInbound(errors);
        this.outbound = new MqttOutbound(maxPacketBytes, inflightMax);
    }

    @Override
    protected void addFrameHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.MQTT_DECODER, new MqttDecoder(maxPacketBytes, MAX_CLIENT_ID));
        pipeline.addLast(HandlerNames.MQTT_ENCODER, MqttEncoder.INSTANCE);
        pipeline.addLast(HandlerNames.MQTT_ADAPTER, new MqttConnection(inbound, outbound));
    }
}
