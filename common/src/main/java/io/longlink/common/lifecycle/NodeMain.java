package io.longlink.common.lifecycle;

import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of every node role: {@code --config FILE} (optional), {@code --version}, environment overrides,
 * validation (exit 2 with every problem listed), start (exit 1 with the cause on failure) and a
 * SIGTERM hook that runs the node's orderly shutdown.
 */
public final class NodeMain {
    private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

    public static final int EXIT_CONFIG = 2;
    public static final int EXIT_START = 1;

    private NodeMain() {
    }

    public static void run(String role, String[] args, List<Setting<?>> settings, NodeFactory factory) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].equals("--help")) {
                System.out.println("usage: " + role + "-node [--config FILE] [--version]\n\nSettings (file key, or env var):\n"
                        + Config.describe(settings));
                return;
            } else if (args[i].equals("--version")) {
                System.out.println(role + "-node " + NodeVersion.current());
                return;
            } else {
                System.err.println(role + "-node: unknown argument '" + args[i] + "' (expected: --config FILE, --help, --version)");
                System.exit(EXIT_CONFIG);
            }
        }
        if (file != null && !Files.isReadable(file)) {
            System.err.println(role + "-node: config file " + file + " is not readable");
            System.exit(EXIT_CONFIG);
        }
        Config config;
        try {
            config = Config.load(file, System.getenv(), settings);
        } catch (ConfigException e) {
            System.err.println(role + "-node: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        config.logEffective(log);
        BaseNode node;
        try {
            node = factory.create(config);
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
            node.start();
        } catch (ConfigException e) {
            // checks between settings run in the node's constructor: a configuration error like the others
            System.err.println(role + "-node: " + e.getMessage());
            System.exit(EXIT_CONFIG);
        } catch (Exception e) {
            log.error("start failed role={}: {}", role, e.getMessage(), e);
            System.err.println(role + "-node: start failed: " + e.getMessage());
            System.exit(EXIT_START);
        }
    }

    @FunctionalInterface
    public interface NodeFactory {
        BaseNode create(Config config) throws Exception;
    }
}
