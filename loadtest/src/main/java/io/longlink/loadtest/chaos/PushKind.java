package io.longlink.loadtest.chaos;

/**
 * What a chaos push addresses. Device-addressed kinds ({@link #PUSH}, {@link #BATCH}) come from
 * sequential callers and are checked for order; {@link #TTL0} pushes are online-only and kept out of
 * the loss count.
 */
enum PushKind {
    PUSH,
    BATCH,
    ALIAS,
    TAG,
    BROADCAST,
    TTL0;

    private static final PushKind[] VALUES = values();

    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean ordered() {
        return this == PUSH || this == BATCH;
    }

    boolean stored() {
        return this != TTL0;
    }

    static PushKind of(int ordinal) {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }
}
