/**
 * The device session layer, one for every listener type: a session's life from the socket opening
 * to its close, split into rooms, one per concern, each a per-node singleton working on the
 * {@link io.longlink.conn.session.Session} it is handed:
 * {@link io.longlink.conn.session.ConnectFlow} (CONNECT to CONNACK, route claim, duplicate-login kick),
 * {@link io.longlink.conn.session.CatchUp} with {@link io.longlink.conn.session.LogReplay} (inbox drain
 * merged with the broadcast-log replay, and the re-drains), {@link io.longlink.conn.session.SeenPosition}
 * (the device's broadcast-log position), {@link io.longlink.conn.session.AckHandler},
 * {@link io.longlink.conn.session.LiveDelivery} (pushes, fan-out, kick, redirect),
 * {@link io.longlink.conn.session.SessionTimeouts} and {@link io.longlink.conn.session.SessionTags};
 * {@link io.longlink.conn.session.DeviceHandler} routes channel events and frames to them.
 *
 * <p>The seam with the transports: listeners only frame. The session layer consumes decoded device
 * frames (Connect, Ack, Ping, Disconnect objects) and writes encoded device-protocol frames (ByteBufs,
 * as {@link io.longlink.conn.codec.Frames} makes them); a WebSocket, SSE or MQTT listener adapts those
 * bytes in its own pipeline handlers. Nothing here assumes TCP.
 *
 * <p>Threading: everything of a session runs on its channel's event loop; store replies hop back onto
 * it. Nothing here blocks: Redis work is asynchronous or queued for the batcher.
 */
package io.longlink.conn.session;
