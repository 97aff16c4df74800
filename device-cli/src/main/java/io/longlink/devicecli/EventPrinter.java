package io.longlink.devicecli;

import static java.util.Objects.requireNonNull;

import io.longlink.sdk.Disconnect;
import io.longlink.sdk.Listener;
import io.longlink.sdk.PushMessage;
import io.longlink.sdk.SessionInfo;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints one line per SDK event and counts new messages; {@link #done()} opens at the count or when
 * the client stops for good. Every callback runs on the client's I/O thread.
 */
final class EventPrinter implements Listener {
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger received = new AtomicInteger();
    private volatile boolean stopped;
    private final PrintWriter out;
    private final boolean quiet;
    private final int count;

    EventPrinter(PrintWriter out, boolean quiet, int count) {
        this.out = requireNonNull(out, "out");
        this.quiet = quiet;
        this.count = count;
    }

    CountDownLatch done() {
        return done;
    }

    int received() {
        return received.get();
    }

    /** Whether the server ended the session with no retry (kick, refused token, unknown app). */
    boolean stopped() {
        return stopped;
    }

    @Override
    public void onConnected(SessionInfo s) {
        event("CONNECTED server=" + s.server() + " session=" + s.sessionId() + " node=" + s.nodeId()
                + " heartbeat-s=" + s.heartbeatSeconds());
    }

    @Override
    public void onMessage(PushMessage m) {
        StringBuilder line = new StringBuilder("PUSH id=").append(m.idString());
        if (m.hasNotification()) {
            line.append(" title=").append(escape(m.title())).append(" body=").append(escape(m.body()));
        }
        if (!m.collapseKey().isEmpty()) {
            line.append(" collapse-key=").append(escape(m.collapseKey()));
        }
        line.append(" payload=").append(payload(m));
        out.println(line);
        out.flush();
        if (received.incrementAndGet() == count) {
            done.countDown();
        }
    }

    @Override
    public void onKicked(String reason) {
        event("KICKED reason=" + escape(reason));
    }

    @Override
    public void onRedirect(List<String> addresses, long retryAfterMillis, String reason) {
        event("REDIRECT to=" + String.join(",", addresses) + " after-ms=" + retryAfterMillis + " reason=" + escape(reason));
    }

    @Override
    public void onDisconnected(Disconnect d) {
        event("DISCONNECTED code=" + d.code() + " server-code=" + d.serverCode() + " retry=" + d.willRetry()
                + (d.willRetry() ? " retry-in-ms=" + d.retryDelayMillis() : "") + " reason=" + escape(d.reason()));
        if (!d.willRetry()) {
            stopped = true;
            done.countDown();
        }
    }

    @Override
    public void onError(Throwable error) {
        event("ERROR " + escape(String.valueOf(error.getMessage())));
    }

    private void event(String line) {
        if (!quiet) {
            out.println(line);
            out.flush();
        }
    }

    private static String payload(PushMessage m) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(m.payload().toByteArray()))
                    .toString();
            return escape(text);
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(m.payload().toByteArray());
        }
    }

    /** Keeps one event on one line whatever the server sent. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
