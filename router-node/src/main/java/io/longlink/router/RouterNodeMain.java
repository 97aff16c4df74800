package io.longlink.router;

import io.longlink.common.lifecycle.NodeMain;

public final class RouterNodeMain {
    private RouterNodeMain() {
    }

    public static void main(String[] args) {
        NodeMain.run(RouterNode.ROLE, args, RouterSettings.all(), RouterNode::new);
    }
}
