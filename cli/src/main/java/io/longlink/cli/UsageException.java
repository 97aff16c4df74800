package io.longlink.cli;

/** The command line itself is wrong; pushctl prints the message and its usage, exit code 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
