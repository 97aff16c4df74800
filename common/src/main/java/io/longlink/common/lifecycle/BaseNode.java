package io.longlink.common.lifecycle;

import static java.util.Objects.requireNonNull;

import io.longlink.common.admin.AdminServer;
import io.longlink.common.admin.Metrics;
import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.MembershipEntry;
import io.longlink.common.discovery.NodeRegistration;
import io.longlink.common.discovery.ZooKeeperClients;
import io.longlink.common.grpc.InternalTls;
import io.prometheus.client.CollectorRegistry;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node role shares: admin HTTP port, metrics, ZooKeeper session and membership entry,
 * readiness and an orderly shutdown.
 *
 * <p>Start order: admin port (so /healthz answers while starting), ZooKeeper, the role's own
 * services ({@link #startRole}), membership entry, ready. Shutdown order: not ready, the role stops
 * accepting ({@link #stopAccepting}), membership entry removed, the role drains and stops
 * ({@link #stopRole}), ZooKeeper, admin port.
 */
public abstract class BaseNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BaseNode.class);

    protected final Config config;
    protected final String role;
    protected final String nodeId;
    protected final CollectorRegistry metrics;

    private final Setting<Integer> adminPortSetting;
    private final Deque<AutoCloseable> extraClosers = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean ready;
    private AdminServer admin;
    private CuratorFramework zk;
    private NodeRegistration registration;
    private MembershipEntry membership;
    private InternalTls internalTls;

    protected BaseNode(String role, Config config, Setting<Integer> adminPortSetting) {
        this.role = requireNonNull(role, "role");
        this.config = requireNonNull(config, "config");
        this.adminPortSetting = requireNonNull(adminPortSetting, "adminPortSetting");
        String id = config.get(NodeSettings.NODE_ID);
        this.nodeId = id.isEmpty() ? defaultNodeId(role) : id;
        this.metrics = Metrics.newNodeRegistry(role, nodeId);
    }

    public final void start() throws Exception {
        log.info("starting role={} id={}", role, nodeId);
        // before any port opens: a TLS file problem is a configuration error
        internalTls = InternalTls.from(config);
        internalTls.logMode(log);
        admin = new AdminServer(config.get(NodeSettings.ADMIN_HOST), config.get(adminPortSetting), metrics,
                this::isReady);
        addAdminRoutes(admin);
        admin.start();
        zk = ZooKeeperClients.start(config.get(NodeSettings.ZK_CONNECT), config.get(NodeSettings.ZK_NAMESPACE),
                config.get(NodeSettings.ZK_SESSION_TIMEOUT_MS), config.get(NodeSettings.ZK_CONNECT_TIMEOUT_MS));
        membership = new MembershipEntry(zk, role, nodeId);
        // a crashed predecessor's session lasts up to its timeout; twice ours covers a slow expiry
        membership.awaitPredecessorGone(2L * config.get(NodeSettings.ZK_SESSION_TIMEOUT_MS)
                + config.get(NodeSettings.ZK_CONNECT_TIMEOUT_MS));
        startRole(zk);
        registration = new NodeRegistration(zk, new NodeInfo(nodeId, role, published(), 0));
        registration.start(config.get(NodeSettings.ZK_CONNECT_TIMEOUT_MS));
        ready = true;
        log.info("ready role={} id={} admin={}", role, nodeId, admin.port());
    }

    /** The role's endpoints and the admin port, which pushctl cluster reads (/metrics, /drain). */
    private Map<String, String> published() {
        Map<String, String> all = new HashMap<>(endpoints());
        all.put("admin", config.get(NodeSettings.ADVERTISE_HOST) + ":" + admin.port());
        return all;
    }

    /** Binds the role's listeners and connects its stores. Throw with a clear message on failure. */
    protected abstract void startRole(CuratorFramework zk) throws Exception;

    /** Named addresses published in ZooKeeper, e.g. {@code grpc -> 127.0.0.1:7100}. */
    protected abstract Map<String, String> endpoints();

    /** Refuse new work (close listeners); called before deregistration. */
    protected void stopAccepting() {
    }

    /** Finish or hand back in-flight work and release resources; called after deregistration. */
    protected abstract void stopRole() throws Exception;

    /** Role-specific admin endpoints (e.g. POST /drain). */
    protected void addAdminRoutes(AdminServer adminServer) {
    }

    /** Registers something to close after the role stopped, before ZooKeeper (last in, first closed). */
    protected final void closeOnShutdown(AutoCloseable c) {
        synchronized (extraClosers) {
            extraClosers.push(c);
        }
    }

    public boolean isReady() {
        return ready;
    }

    protected final void setReady(boolean value) {
        ready = value;
    }

    public final String nodeId() {
        return nodeId;
    }

    public final int adminPort() {
        return admin.port();
    }

    public final CollectorRegistry metrics() {
        return metrics;
    }

    /** Mutual TLS (or plaintext) of the internal gRPC plane, for the role's servers and channels. */
    protected final InternalTls internalTls() {
        return internalTls;
    }

    /** This node's membership entry (set once start has connected ZooKeeper). */
    protected final MembershipEntry membership() {
        return membership;
    }

    protected final NodeRegistration registration() {
        return registration;
    }

    /** Removes the membership entry now (drain), ahead of the rest of the shutdown. */
    protected final void deregister() {
        NodeRegistration r = registration;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("stopping role={} id={}", role, nodeId);
        ready = false;
        step("stop accepting", this::stopAccepting);
        step("deregister", this::deregister);
        step("stop role", this::stopRole);
        synchronized (extraClosers) {
            while (!extraClosers.isEmpty()) {
                AutoCloseable c = extraClosers.pop();
                step("close " + c.getClass().getSimpleName(), c::close);
            }
        }
        if (zk != null) {
            step("close ZooKeeper", zk::close);
        }
        if (admin != null) {
            step("close admin", admin::close);
        }
        log.info("stopped role={} id={}", role, nodeId);
    }

    private static void step(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            log.warn("shutdown step failed step=\"{}\"", what, e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static String defaultNodeId(String role) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return role + "-" + host + "-" + ProcessHandle.current().pid();
    }
}
