package io.longlink.loadtest.scenario;

/** A bad command line: unknown scenario or option, or a value out of range. ops/bench exits 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
