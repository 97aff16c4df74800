package io.longlink.conn;

import io.longlink.common.lifecycle.NodeMain;

/** {@code conn-node [--config FILE]}: settings in ConnSettings, example in conn-node.example.properties. */
public final class ConnNodeMain {
    private ConnNodeMain() {
    }

    public static void main(String[] args) {
        // an admin drain ends the process; the shutdown hook then runs the rest of the orderly stop
        NodeMain.run(ConnNode.ROLE, args, ConnSettings.all(), config -> new ConnNode(config, () -> System.exit(0)));
    }
}
