package io.longlink.router.deliver;

/** A batch was not sent to a conn-node (stream down, too many batches in flight, node gone). */
public final class LinkUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LinkUnavailableException(String message) {
        super(message, null, false, false);
    }
}
