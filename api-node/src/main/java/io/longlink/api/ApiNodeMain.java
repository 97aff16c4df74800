package io.longlink.api;

import io.longlink.common.lifecycle.NodeMain;

public final class ApiNodeMain {
    private ApiNodeMain() {
    }

    public static void main(String[] args) {
        NodeMain.run(ApiNode.ROLE, args, ApiSettings.all(), ApiNode::new);
    }
}
