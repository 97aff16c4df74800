package io.longlink.dist;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The checkout and its build output as the tests see them, and running a command to its end. */
final class Repo {
    static final List<String> ROLES = List.of("conn-node", "router-node", "api-node");

    private Repo() {
    }

    static Path root() {
        return Path.of(System.getProperty("longlink.root", "..")).toAbsolutePath().normalize();
    }

    /** dist/target, where the tarballs are (integration tests only: they run after package). */
    static Path target() {
        return Path.of(requireNonNull(System.getProperty("longlink.dist"), "longlink.dist")).toAbsolutePath();
    }

    static String version() {
        return requireNonNull(System.getProperty("longlink.version"), "longlink.version");
    }

    /** Unpacks longlink-NAME-VERSION.tar.gz into {@code into}; returns its top folder. */
    static Path unpack(String name, Path into) throws IOException, InterruptedException {
        Path tarball = target().resolve("longlink-" + name + "-" + version() + ".tar.gz");
        Result tar = run(Map.of(), "tar", "-xzf", tarball.toString(), "-C", into.toString());
        if (tar.exit() != 0) {
            throw new IOException("cannot unpack " + tarball + ": " + tar.err());
        }
        return into.resolve("longlink-" + name + "-" + version());
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs a command with {@code env} added to this JVM's environment; fails after 120 s. */
    static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        return run(env, Path.of("."), command);
    }

    /** Runs a command in {@code dir}. */
    static Result run(Map<String, String> env, Path dir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("cmd", ".out");
        Path err = Files.createTempFile("cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
