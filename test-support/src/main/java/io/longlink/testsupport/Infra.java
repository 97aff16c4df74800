package io.longlink.testsupport;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests real servers as parameters, started on first use and shared
 * by all test classes of the run: {@link RedisServer} (a redis-server process),
 * {@link TestingServer} (in-JVM ZooKeeper) and {@link KafkaCluster} (in-JVM KRaft broker).
 *
 * <pre>
 * &#64;ExtendWith(Infra.class)
 * class FooIntegrationTest {
 *     &#64;BeforeAll static void setUp(RedisServer redis, TestingServer zk) { ... }
 * }
 * </pre>
 */
public final class Infra implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == RedisServer.class || t == TestingServer.class || t == KafkaCluster.class
                || t == RedisClusterServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return shared(e, p.getParameter().getType());
    }

    /**
     * The shared server of {@code type}, for extensions that start nodes on it before a test class
     * runs ({@code type} is one of those this class resolves as parameters).
     */
    public static <T> T shared(ExtensionContext e, Class<T> type) {
        if (type == RedisServer.class) {
            return type.cast(SharedInfra.shared(e, RedisServer.class, RedisServer::start));
        }
        if (type == TestingServer.class) {
            return type.cast(SharedInfra.shared(e, TestingServer.class, SharedInfra::startZooKeeper));
        }
        if (type == KafkaCluster.class) {
            return type.cast(SharedInfra.shared(e, KafkaCluster.class, KafkaCluster::start));
        }
        if (type == RedisClusterServer.class) {
            return type.cast(SharedInfra.shared(e, RedisClusterServer.class, RedisClusterServer::start));
        }
        throw new ParameterResolutionException("unsupported fixture " + type);
    }
}
