package io.longlink.loadtest.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.loadtest.wire.Frame;
import io.longlink.loadtest.wire.FrameCodec;
import io.longlink.loadtest.wire.FrameException;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.util.Locale;

/**
 * The device side of one connection, as an idle app would behave: CONNECT on connect, then only
 * heartbeats (sent by {@link LoopTimers}) and ACKs for any PUSH. State lives in the channel's
 * {@link DeviceSession}, so one instance serves every connection.
 */
@ChannelHandler.Sharable
final class DeviceHandler extends SimpleChannelInboundHandler<Frame> {
    private final LoadGenerator generator;

    DeviceHandler(LoadGenerator generator) {
        this.generator = generator;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        DeviceSession s = ctx.channel().attr(DeviceSession.KEY).get();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(s.batch.connectFrame(s.index)), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws InvalidProtocolBufferException {
        DeviceSession s = ctx.channel().attr(DeviceSession.KEY).get();
        FrameType type = FrameType.forNumber(frame.type());
        if (type == null) {
            protocolError(ctx, s, "unknown_frame_type_" + frame.type());
            return;
        }
        switch (type) {
            case CONNACK -> {
                if (s.state != DeviceSession.State.CONNECTING) {
                    protocolError(ctx, s, "second_connack");
                    return;
                }
                ConnAck ack = ConnAck.parseFrom(frame.body());
                if (ack.getCode() != ErrorCode.OK) {
                    generator.failConnect(s, "connack_" + name(ack.getCode()));
                    return;
                }
                generator.connected(s, ack.getHeartbeatSeconds());
            }
            case PONG -> generator.countPong();
            case PUSH -> {
                Push push = Push.parseFrom(frame.body());
                generator.countPush();
                byte[] ack = FrameCodec.frame(FrameType.ACK, Ack.newBuilder().addMessageIds(push.getMessageId()).build());
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ack), ctx.voidPromise());
            }
            case ERROR -> s.serverReason = name(Error.parseFrom(frame.body()).getCode());
            case KICK -> s.serverReason = "kicked";
            case REDIRECT -> s.serverReason = "redirected";
            default -> protocolError(ctx, s, "unexpected_" + name(type));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        DeviceSession s = ctx.channel().attr(DeviceSession.KEY).get();
        generator.closed(s);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DeviceSession s = ctx.channel().attr(DeviceSession.KEY).get();
        String reason;
        if (cause instanceof FrameException fe) {
            reason = name(fe.code());
        } else if (cause.getCause() instanceof InvalidProtocolBufferException
                || cause instanceof InvalidProtocolBufferException) {
            reason = "malformed_body";
        } else if (cause instanceof IOException) {
            reason = "io_error";
        } else {
            reason = "error_" + cause.getClass().getSimpleName();
        }
        if (s != null && s.serverReason == null) {
            s.serverReason = reason;
        }
        ctx.close();
    }

    private void protocolError(ChannelHandlerContext ctx, DeviceSession s, String reason) {
        s.serverReason = reason;
        ctx.close();
    }

    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
