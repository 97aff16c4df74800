package io.longlink.sdk.reconnect;

import static java.util.Objects.requireNonNull;

/** A server address as {@code host:port} or {@code [ipv6]:port}. */
public record HostPort(String host, int port) {
    public HostPort {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected 1..65535)");
        }
    }

    /** Parses {@code host:port}; the message names the bad text and the expected form. */
    public static HostPort parse(String text) {
        requireNonNull(text, "text");
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw bad(text);
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw bad(text);
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (host.isEmpty() || !host.chars().allMatch(HostPort::hostChar)) {
            throw bad(text);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(text);
        }
        if (number < 1 || number > 65535) {
            throw bad(text);
        }
        return new HostPort(host, number);
    }

    private static boolean hostChar(int c) {
        return c > ' ' && c < 127 && c != '/' && c != '[' && c != ']' && c != '@';
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("\"" + text + "\" (expected host:port or [ipv6]:port, port 1..65535)");
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
