package io.longlink.loadtest.client;

import io.longlink.loadtest.mqtt.MqttDeviceFrames;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.UsageException;
import io.longlink.loadtest.wire.FrameDecoder;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the load generator's devices reach a conn-node: the listener they connect to and the handlers
 * that turn that transport into device frames for {@link DeviceHandler}, which is the same for all.
 * A new transport is one more constant.
 */
public enum DeviceTransport {
    /** The device protocol's own frames on the device port. */
    TCP {
        @Override
        void addFrameHandlers(ChannelPipeline p, int maxFrameBytes) {
            p.addLast("frames", new FrameDecoder(maxFrameBytes));
        }

        @Override
        public List<InetSocketAddress> endpoints(Stack stack) {
            return stack.devices();
        }
    },
    /** MQTT 3.1.1 on the MQTT port (docs/protocol.md "MQTT"). */
    MQTT {
        @Override
        void addFrameHandlers(ChannelPipeline p, int maxFrameBytes) {
            p.addLast("mqtt-decoder", new MqttDecoder(maxFrameBytes + 256));
            p.addLast("mqtt-encoder", MqttEncoder.INSTANCE);
            p.addLast("frames", new MqttDeviceFrames());
        }

        @Override
        public List<InetSocketAddress> endpoints(Stack stack) {
            if (stack.mqtts().isEmpty()) {
                throw new IllegalStateException("the stack has no MQTT listener (conn.mqtt.port)");
            }
            return stack.mqtts();
        }
    },
    /** WebSocket, subprotocol longlink.v1 (one device frame per binary message), on conn-1's web listener. */
    WS {
        @Override
        void addFrameHandlers(ChannelPipeline p, int maxFrameBytes) {
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(URI.create("ws://longlink" + WEB_SOCKET_PATH)).subprotocol("longlink.v1")
                    .maxFramePayloadLength(maxFrameBytes + 6).build();
            p.addLast("http", new HttpClientCodec())
                    .addLast("http-aggregator", new HttpObjectAggregator(8_192))
                    .addLast("ws", new WebSocketClientProtocolHandler(config))
                    .addLast("ws-frames", new WebSocketFrames())
                    .addLast("frames", new FrameDecoder(maxFrameBytes));
        }

        @Override
        public List<InetSocketAddress> endpoints(Stack stack) {
            try {
                return List.of(Stack.web());
            } catch (UsageException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    };

    /** The web listener's WebSocket path (the conn-node default, conn.ws.path). */
    static final String WEB_SOCKET_PATH = "/ws";

    /** Adds, before the device handler, what turns this transport's bytes into device frames and back. */
    abstract void addFrameHandlers(ChannelPipeline p, int maxFrameBytes);

    /** Every conn-node's listener of this transport, conn-1's first. */
    public abstract List<InetSocketAddress> endpoints(Stack stack);

    /** The option value: tcp, mqtt, ws. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Picocli: {@code --transport tcp|mqtt|ws}. */
    public static final class Converter implements ITypeConverter<DeviceTransport> {
        @Override
        public DeviceTransport convert(String raw) {
            for (DeviceTransport t : values()) {
                if (t.optionValue().equals(raw.strip().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new TypeConversionException("not one of tcp, mqtt, ws");
        }
    }
}
