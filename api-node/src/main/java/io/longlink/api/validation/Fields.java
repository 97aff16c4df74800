package io.longlink.api.validation;

import io.longlink.common.grpc.Refusal;

/**
 * Formats of the identifiers the API accepts. They end up inside Redis keys and Kafka record keys,
 * so the alphabets leave out braces (hash tags), whitespace and, for app keys, the colon that
 * separates app and device in {@code {appKey:deviceId}}.
 */
public final class Fields {
    public static final int DEVICE_ID_MAX = 128;
    public static final int ALIAS_MAX = 128;
    public static final int TAG_MAX = 64;
    public static final int COLLAPSE_KEY_MAX = 64;
    public static final int REQUEST_ID_MAX = 128;
    public static final int APP_KEY_MAX = 64;
    public static final int APP_NAME_MAX = 128;

    private static final String ID_CHARS = "A-Z a-z 0-9 . _ : -";

    private Fields() {
    }

    public static String deviceId(String field, String value) {
        return token(field, value, DEVICE_ID_MAX, ID_CHARS, false);
    }

    public static String alias(String field, String value) {
        return token(field, value, ALIAS_MAX, ID_CHARS + " @ +", true);
    }

    public static String tag(String field, String value) {
        return token(field, value, TAG_MAX, ID_CHARS, false);
    }

    public static String collapseKey(String field, String value) {
        return token(field, value, COLLAPSE_KEY_MAX, ID_CHARS, false);
    }

    public static String requestId(String field, String value) {
        return token(field, value, REQUEST_ID_MAX, ID_CHARS, false);
    }

    public static boolean isAppKey(String value) {
        if (value == null || value.isEmpty() || value.length() > APP_KEY_MAX) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(isAlnum(c) || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    public static String appKey(String field, String value) {
        if (!isAppKey(value)) {
            throw Refusal.invalid(field, show(value), "1 to " + APP_KEY_MAX + " characters of A-Z a-z 0-9 . _ -");
        }
        return value;
    }

    /** Free text without control characters (app names). */
    public static String name(String field, String value) {
        if (value.isEmpty() || value.length() > APP_NAME_MAX || value.isBlank()) {
            throw Refusal.invalid(field, show(value), "1 to " + APP_NAME_MAX + " characters, not only spaces");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw Refusal.invalid(field, show(value), "no control characters");
            }
        }
        return value;
    }

    private static String token(String field, String value, int max, String alphabet, boolean aliasChars) {
        if (value.isEmpty() || value.length() > max) {
            throw Refusal.invalid(field, show(value), "1 to " + max + " characters of " + alphabet);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = isAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-'
                    || (aliasChars && (c == '@' || c == '+'));
            if (!ok) {
                throw Refusal.invalid(field, show(value), "1 to " + max + " characters of " + alphabet);
            }
        }
        return value;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** A value quoted for an error message: at most 64 characters, control characters escaped. */
    public static String show(String value) {
        if (value.isEmpty()) {
            return "''";
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 64) + 8).append('\'');
        int n = Math.min(value.length(), 64);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('\'');
        if (value.length() > n) {
            sb.append("... (").append(value.length()).append(" characters)");
        }
        return sb.toString();
    }
}
