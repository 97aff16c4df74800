package io.longlink.sdk;

/** Why a connection (or a connection attempt) ended. */
public enum DisconnectCode {
    /** Connect failed, a read or write failed, or the server closed without saying why. */
    NETWORK,
    /** No PONG within the pong timeout, or nothing read for too long. */
    HEARTBEAT_TIMEOUT,
    /** The server sent bytes this client cannot read (malformed, over the size limit, unexpected). */
    PROTOCOL_ERROR,
    /** The server refused the CONNECT or ended the session with an error code: see {@link Disconnect#serverCode()}. */
    REJECTED,
    /** Another login of the same device took over (KICK). */
    KICKED,
    /** The server asked the device to reconnect elsewhere or later (REDIRECT). */
    REDIRECTED,
    /** The app's token supplier failed or returned no token. */
    TOKEN_UNAVAILABLE,
    /** The app closed the client. */
    CLOSED
}
