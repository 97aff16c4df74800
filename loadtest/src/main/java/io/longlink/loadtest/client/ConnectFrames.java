package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import io.longlink.common.token.DeviceToken;
import io.longlink.loadtest.wire.FrameCodec;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Platform;
import java.util.ArrayList;
import java.util.List;

/**
 * CONNECT frames for a set of devices, built before a connect phase: a real app server hands its
 * devices their tokens ahead of time, so minting and encoding are not part of what is measured.
 */
public final class ConnectFrames {
    public static final String CLIENT_VERSION = "longlink-loadtest/0.1";

    private ConnectFrames() {
    }

    /** Devices {@code idPrefix-0} .. {@code idPrefix-(count-1)} of one app, each with a token minted with its secret. */
    public static List<byte[]> forDevices(String appKey, String secret, String idPrefix, int count, int heartbeatSeconds,
                                          long tokenExpiryEpochSeconds) {
        requireNonNull(appKey, "appKey");
        requireNonNull(secret, "secret");
        requireNonNull(idPrefix, "idPrefix");
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
        List<byte[]> out = new ArrayList<>(count);
        Connect.Builder b = builder(appKey, heartbeatSeconds);
        for (int i = 0; i < count; i++) {
            String device = idPrefix + "-" + i;
            b.setDeviceId(device).setToken(DeviceToken.mint(secret, appKey, device, tokenExpiryEpochSeconds));
            out.add(FrameCodec.frame(FrameType.CONNECT, b.build()));
        }
        return out;
    }

    /** One device's CONNECT frame with the token it was given (minted by its app server, or by RegisterDevice). */
    public static byte[] forDevice(String appKey, String deviceId, String token, int heartbeatSeconds) {
        requireNonNull(appKey, "appKey");
        requireNonNull(deviceId, "deviceId");
        requireNonNull(token, "token");
        return FrameCodec.frame(FrameType.CONNECT, builder(appKey, heartbeatSeconds).setDeviceId(deviceId).setToken(token)
                .build());
    }

    private static Connect.Builder builder(String appKey, int heartbeatSeconds) {
        return Connect.newBuilder().setProtocolVersion(1).setAppKey(appKey).setClientVersion(CLIENT_VERSION)
                .setPlatform(Platform.ANDROID).setHeartbeatSeconds(heartbeatSeconds);
    }
}
