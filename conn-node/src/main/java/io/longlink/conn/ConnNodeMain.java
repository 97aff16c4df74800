package io.longlink.conn;

import io.longlink.common.lifecycle.NodeMain;

public final class ConnNodeMain {
    private ConnNodeMain() {
    }

    public static void main(String[] args) {
        NodeMain.run(ConnNode.ROLE, args, ConnSettings.all(), ConnNode::new);
    }
}
