package io.jasyncio.weaver;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where the weaver reads the bytes of classes other than the one it weaves: the superclasses
 * and interfaces it needs to compute frames, and the callees whose {@code @Async}-ness it must
 * know. It never loads a class: the agent reads class-loader resources, the Maven plugin the
 * compile classpath.
 */
@FunctionalInterface
public interface ClassFinder {
    /**
     * The class file of {@code internalName} (such as {@code java/lang/String}), or
     * {@code null} when it cannot be found.
     */
    byte[] find(String internalName);

    /**
     * Reads class files as resources of {@code loader}, falling back on the platform class
     * loader (for JDK classes) when {@code loader} is {@code null} or does not have them.
     */
    static ClassFinder ofClassLoader(ClassLoader loader) {
        return internalName -> {
            String resource = internalName + ".class";
            byte[] bytes = read(loader, resource);
            if (bytes == null && loader != ClassLoader.getSystemClassLoader()) {
                bytes = read(ClassLoader.getSystemClassLoader(), resource);
            }
            return bytes;
        };
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader == null
                ? ClassLoader.getSystemResourceAsStream(resource)
                : loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
