package io.longlink.conn.codec;

import io.longlink.proto.device.ErrorCode;
import io.netty.channel.Channel;

/** Where the decoder reports a frame it refuses: the node's one disconnect path (ERROR, then close). */
@FunctionalInterface
public interface FrameErrorSink {
    void reject(Channel channel, ErrorCode code, String reason);
}
