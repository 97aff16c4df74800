package io.longlink.loadtest.abuse;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.loadtest.wire.AckFrames;
import io.longlink.loadtest.wire.Frame;
import io.longlink.loadtest.wire.FrameCodec;
import io.longlink.loadtest.wire.FrameException;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What each attacker sends and how it takes the node's answers; state lives in the channel's
 * {@link AttackSocket}, so one instance serves every socket. Flooders write at their rate, and only
 * while their own socket is writable: what the node does not read stays in the kernel, not here.
 */
@ChannelHandler.Sharable
final class AttackHandler extends SimpleChannelInboundHandler<Frame> {
    /** Most ids in one ACK frame (8 bytes each: 4 KB), below the node's frame limit. */
    static final int IDS_PER_ACK = 500;
    /** The body length an oversize frame header declares: far over the node's 16 KiB frame limit. */
    static final int OVERSIZE_BODY = 1 << 20;
    static final int GARBAGE_BYTES = 256;
    private static final byte[] PINGS = pings(4_096);
    private static final byte[] OVERSIZE = oversize();

    private final Attackers attackers;
    private final AttackPlan plan;

    AttackHandler(Attackers attackers, AttackPlan plan) {
        this.attackers = attackers;
        this.plan = plan;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        AttackSocket s = ctx.channel().attr(AttackSocket.KEY).get();
        attackers.active(ctx.channel(), s);
        if (s.connect != null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(s.connect), ctx.voidPromise());
        } else if (s.kind == AttackKind.GARBAGE) {
            ctx.writeAndFlush(s.sequence % 2 == 0 ? Unpooled.wrappedBuffer(OVERSIZE) : randomBytes(),
                    ctx.voidPromise());
        }
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws InvalidProtocolBufferException {
        AttackSocket s = ctx.channel().attr(AttackSocket.KEY).get();
        if (frame.type() == FrameType.ERROR_VALUE) {
            s.reason = name(Error.parseFrom(frame.body()).getCode());
        } else if (frame.type() == FrameType.CONNACK_VALUE) {
            ConnAck ack = ConnAck.parseFrom(frame.body());
            if (ack.getCode() != ErrorCode.OK) {
                s.reason = "connack_" + name(ack.getCode());
                return;
            }
            attackers.tally().loggedIn(s.kind);
            switch (s.kind) {
                case CONNECT_FLOOD -> {
                    s.closingByUs = true;
                    ctx.close();
                }
                case PING_FLOOD -> {
                    // the PONGs are never read: the node must not queue them without bound
                    ctx.channel().config().setAutoRead(false);
                    startFlood(ctx.channel(), s);
                }
                case ACK_FLOOD -> startFlood(ctx.channel(), s);
                default -> {
                    // the others do not log in
                }
            }
        }
    }

    private void startFlood(Channel ch, AttackSocket s) {
        s.floodStartNanos = System.nanoTime();
        s.flood = ch.eventLoop().scheduleAtFixedRate(() -> flood(ch, s), Attackers.TICK_MS, Attackers.TICK_MS,
                TimeUnit.MILLISECONDS);
    }

    /** Writes what the rate allows since the flood began; while the socket is not writable, nothing piles up. */
    private void flood(Channel ch, AttackSocket s) {
        boolean pings = s.kind == AttackKind.PING_FLOOD;
        long perSecond = pings ? plan.pingsPerS() : plan.ackIdsPerS();
        long due = perSecond * (System.nanoTime() - s.floodStartNanos) / TimeUnit.SECONDS.toNanos(1);
        long owed = Math.min(due - s.floodUnitsSent, perSecond);
        s.floodUnitsSent = due;
        if (!ch.isActive() || !ch.isWritable() || owed <= 0) {
            return;
        }
        AttackTally tally = attackers.tally();
        while (owed > 0) {
            if (pings) {
                int n = (int) Math.min(owed, PINGS.length / 2);
                ch.write(Unpooled.wrappedBuffer(PINGS, 0, n * 2), ch.voidPromise());
                tally.pings(n);
                owed -= n;
            } else {
                int n = (int) Math.min(owed, IDS_PER_ACK);
                if (s.ackIds == null) {
                    s.ackIds = new long[IDS_PER_ACK];
                }
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < n; i++) {
                    s.ackIds[i] = r.nextLong();
                }
                ch.write(AckFrames.encode(ch.alloc(), s.ackIds, n), ch.voidPromise());
                tally.ackIds(n);
                owed -= n;
            }
        }
        ch.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        attackers.inactive(ctx.channel(), ctx.channel().attr(AttackSocket.KEY).get());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        AttackSocket s = ctx.channel().attr(AttackSocket.KEY).get();
        if (s.reason == null) {
            if (cause instanceof FrameException fe) {
                s.reason = "bad_frame_" + name(fe.code());
            } else {
                s.reason = cause instanceof IOException ? "reset" : "error_" + cause.getClass().getSimpleName();
            }
        }
        ctx.close();
    }

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static byte[] pings(int count) {
        byte[] one = FrameCodec.ping();
        byte[] out = new byte[one.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(one, 0, out, i * one.length, one.length);
        }
        return out;
    }

    /** An ACK frame header that declares {@link #OVERSIZE_BODY} bytes, then 1 KB of its body. */
    static byte[] oversize() {
        byte[] out = new byte[1 + 5 + 1_024];
        out[0] = (byte) FrameType.ACK_VALUE;
        int pos = 1;
        int v = OVERSIZE_BODY;
        while ((v & ~0x7F) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return Arrays.copyOf(out, pos + 1_024);
    }

    private static ByteBuf randomBytes() {
        byte[] b = new byte[GARBAGE_BYTES];
        ThreadLocalRandom.current().nextBytes(b);
        return Unpooled.wrappedBuffer(b);
    }
}
