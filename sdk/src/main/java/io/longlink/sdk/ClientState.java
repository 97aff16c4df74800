package io.longlink.sdk;

/** Where a {@link LonglinkClient} is in its life. */
public enum ClientState {
    /** Built, not started. */
    NEW,
    /** Connecting, or waiting for CONNACK. */
    CONNECTING,
    /** CONNACK OK received; messages flow. */
    CONNECTED,
    /** Between attempts (backoff, redirect delay). */
    WAITING,
    /** Gave up: kicked, or refused for a reason retrying cannot fix. Terminal. */
    STOPPED,
    /** Closed by the app. Terminal. */
    CLOSED;

    public boolean isTerminal() {
        return this == STOPPED || this == CLOSED;
    }
}
