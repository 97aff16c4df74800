package io.longlink.conn.session;

import io.longlink.proto.device.Connect;

/** Field checks of a CONNECT that need no store: each failure is one INVALID_ARGUMENT reason. */
public final class ConnectValidator {
    public static final int PROTOCOL_VERSION = 1;
    public static final int MAX_DEVICE_ID = 128;
    public static final int MAX_APP_KEY = 64;
    public static final int MAX_TOKEN = 512;

    private ConnectValidator() {
    }

    /** @return null when valid, else the reason sent to the device */
    public static String invalidArgument(Connect c) {
        String app = c.getAppKey();
        if (app.isEmpty() || app.length() > MAX_APP_KEY || !allowed(app, false)) {
            return "app_key must be 1.." + MAX_APP_KEY + " characters of [A-Za-z0-9._-]";
        }
        String device = c.getDeviceId();
        if (device.isEmpty() || device.length() > MAX_DEVICE_ID || !allowed(device, true)) {
            return "device_id must be 1.." + MAX_DEVICE_ID + " characters of [A-Za-z0-9._:-]";
        }
        return null;
    }

    /** App keys exclude ':' so that the device hash tag {app:device} can only be read one way. */
    private static boolean allowed(String s, boolean colon) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == '-' || (colon && ch == ':');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The interval granted: 0 asks for the default; anything else is clamped to [min, max]. */
    public static int heartbeat(int requested, int min, int max, int dflt) {
        if (requested == 0) {
            return dflt;
        }
        if (requested < 0 || requested > max) { // uint32 on the wire: negative here means huge
            return max;
        }
        return Math.max(min, requested);
    }
}
