package io.longlink.testsupport;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Servers shared by every test class of one test JVM (one Maven module), started on first use and
 * stopped when JUnit closes its root context. Tests keep apart by using their own app keys and
 * ZooKeeper namespaces, or flush what they own.
 */
final class SharedInfra {
    private SharedInfra() {
    }

    static <T extends AutoCloseable> T shared(ExtensionContext context, Class<T> type, java.util.function.Supplier<T> starter) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(SharedInfra.class));
        Holder<?> holder = store.getOrComputeIfAbsent(type.getName(), k -> new Holder<>(starter.get()), Holder.class);
        return type.cast(holder.value);
    }

    /** Closed by JUnit when the root context closes, i.e. after the last test of the run. */
    private static final class Holder<T extends AutoCloseable> implements AutoCloseable {
        private final T value;

        Holder(T value) {
            this.value = value;
        }

        @Override
        public void close() throws Exception {
            value.close();
        }
    }

    static TestingServer startZooKeeper() {
        try {
            return new TestingServer(true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start in-JVM ZooKeeper", e);
        }
    }
}
