package io.longlink.conn.mqtt;

import io.longlink.conn.codec.Frames;
import io.longlink.proto.device.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An MQTT client channel and a node-side channel with the MQTT listener's handlers, joined by the
 * bytes each encodes: what a test sends goes through both codecs. The node side's session layer is
 * the test: it reads the device frames the adapter fires and writes device frames.
 */
final class MqttPair implements AutoCloseable {
    static final int MAX_PACKET = 1024;

    final EmbeddedChannel client = new EmbeddedChannel(MqttEncoder.INSTANCE, new MqttDecoder(1 << 20));
    final EmbeddedChannel node;
    /** The refusals the adapter reported, as "CODE reason". */
    final List<String> refusals = new ArrayList<>();

    MqttPair(int inflightMax) {
        node = new EmbeddedChannel(new MqttDecoder(MAX_PACKET, 128), MqttEncoder.INSTANCE, new MqttConnection(
                new MqttInbound((ch, code, reason) -> {
                    refusals.add(code + " " + reason);
                    error(code, reason); // as the node's Disconnector: ERROR, then the close
                }), new MqttOutbound(MAX_PACKET, inflightMax)));
    }

    MqttPair() {
        this(4);
    }

    static MqttConnectMessage connect(MqttVersion version, String device, String app, String token, int keepAlive,
                                      MqttProperties props) {
        MqttMessageBuilders.ConnectBuilder b = MqttMessageBuilders.connect().protocolVersion(version)
                .clientId(device).keepAlive(keepAlive).cleanSession(false);
        if (app != null) {
            b.hasUser(true).username(app);
        }
        if (token != null) {
            b.hasPassword(true).password(token.getBytes(StandardCharsets.UTF_8));
        }
        if (props != null) {
            b.properties(props);
        }
        return b.build();
    }

    /** The client sends {@code m}; returns what the adapter handed the session, in order. */
    List<Object> send(MqttMessage m) {
        client.writeOutbound(m);
        ByteBuf bytes;
        while ((bytes = client.readOutbound()) != null) {
            node.writeInbound(bytes);
        }
        List<Object> frames = new ArrayList<>();
        Object f;
        while ((f = node.readInbound()) != null) {
            frames.add(f);
        }
        return frames;
    }

    /** The session writes {@code frame} (and flushes). */
    void write(ByteBuf frame) {
        node.writeOneOutbound(frame);
        node.flushOutbound();
    }

    void error(ErrorCode code, String reason) {
        node.writeAndFlush(Frames.error(node.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The MQTT packets the client received since the last call. */
    List<MqttMessage> received() {
        ByteBuf bytes;
        while ((bytes = node.readOutbound()) != null) {
            client.writeInbound(bytes);
        }
        List<MqttMessage> out = new ArrayList<>();
        Object m;
        while ((m = client.readInbound()) != null) {
            out.add((MqttMessage) m);
        }
        return out;
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        node.finishAndReleaseAll();
    }
}
