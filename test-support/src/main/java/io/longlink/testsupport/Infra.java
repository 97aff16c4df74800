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
        Class<?> t = p.getParameter().getType();
        if (t == RedisServer.class) {
            return SharedInfra.shared(e, RedisServer.class, RedisServer::start);
        }
        if (t == TestingServer.class) {
            return SharedInfra.shared(e, TestingServer.class, SharedInfra::startZooKeeper);
        }
        if (t == KafkaCluster.class) {
            return SharedInfra.shared(e, KafkaCluster.class, KafkaCluster::start);
        }
        if (t == RedisClusterServer.class) {
            return SharedInfra.shared(e, RedisClusterServer.class, RedisClusterServer::start);
        }
        throw new ParameterResolutionException("unsupported fixture " + t);
    }
}
