package io.longlink.common.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The Longlink version this build stamped into {@code version.properties}: what {@code --version} prints. */
public final class NodeVersion {
    private static final String RESOURCE = "version.properties";

    private NodeVersion() {
    }

    public static String current() {
        Properties p = new Properties();
        try (InputStream in = NodeVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: a broken build");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }
}
