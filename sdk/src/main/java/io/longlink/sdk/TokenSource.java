package io.longlink.sdk;

import java.util.function.Supplier;

/** The device token: fixed, or asked from the app (again after the server refused the last one). */
final class TokenSource {
    private final String fixed;
    private final Supplier<String> supplier;
    private String cached;

    TokenSource(String fixed, Supplier<String> supplier) {
        if ((fixed == null) == (supplier == null)) {
            throw new IllegalArgumentException("token: set exactly one of token(...) and tokenSupplier(...)");
        }
        this.fixed = fixed;
        this.supplier = supplier;
    }

    /** The token to send; {@code refresh} asks the supplier for a new one. Runs on the I/O thread. */
    String get(boolean refresh) {
        if (supplier == null) {
            return fixed;
        }
        if (cached == null || refresh) {
            String token = supplier.get();
            if (token == null || token.trim().isEmpty()) {
                throw new IllegalStateException("token supplier returned no token");
            }
            cached = token;
        }
        return cached;
    }

    boolean canRefresh() {
        return supplier != null;
    }
}
