package io.longlink.loadtest.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.loadtest.wire.AckFrames;
import io.longlink.loadtest.wire.Frame;
import io.longlink.loadtest.wire.FrameException;
import io.longlink.loadtest.wire.PushFields;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The device side of one connection, as an app would behave: CONNECT on connect, then heartbeats
 * (sent by {@link LoopTimers}) and batched ACKs for the PUSHes it receives, each reported to the
 * loop's {@link PushListener} first. State lives in the channel's
 * {@link DeviceSession}, so one instance serves every connection.
 */
@ChannelHandler.Sharable
final class DeviceHandler extends SimpleChannelInboundHandler<Frame> {
    /** Most ids in one ACK frame (8 bytes each: 4 KB), below any node's frame limit. */
    static final int MAX_ACK_BATCH = 512;

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
                PushFields push = PushFields.parse(frame.body());
                generator.countPush();
                s.pushListener.onPush(s.index, push.messageId(), push.sentAtMs(), push.firstPayloadByte());
                queueAck(ctx, s, push.messageId());
            }
            case ERROR -> s.serverReason = name(Error.parseFrom(frame.body()).getCode());
            case KICK -> s.serverReason = "kicked";
            case REDIRECT -> s.serverReason = "redirected";
            default -> protocolError(ctx, s, "unexpected_" + name(type));
        }
    }

    /**
     * ACKs are batched like a real SDK's: every id of one read burst goes out in one ACK frame when
     * the burst ends ({@link #channelReadComplete}), or earlier once {@link #MAX_ACK_BATCH} piled up.
     */
    private static void queueAck(ChannelHandlerContext ctx, DeviceSession s, long id) {
        if (s.pendingAcks == null) {
            s.pendingAcks = new long[16];
        } else if (s.pendingAckCount == s.pendingAcks.length) {
            if (s.pendingAcks.length < MAX_ACK_BATCH) {
                s.pendingAcks = Arrays.copyOf(s.pendingAcks, Math.min(MAX_ACK_BATCH, s.pendingAcks.length * 2));
            } else {
                writeAcks(ctx, s);
            }
        }
        s.pendingAcks[s.pendingAckCount++] = id;
    }

    private static void writeAcks(ChannelHandlerContext ctx, DeviceSession s) {
        ctx.write(AckFrames.encode(ctx.alloc(), s.pendingAcks, s.pendingAckCount), ctx.voidPromise());
        s.pendingAckCount = 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        DeviceSession s = ctx.channel().attr(DeviceSession.KEY).get();
        if (s != null && s.pendingAckCount > 0) {
            writeAcks(ctx, s);
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
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
