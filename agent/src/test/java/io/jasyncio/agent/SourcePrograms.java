package io.jasyncio.agent;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Programs written as source text by a test, compiled with javac against the runtime and loaded fresh. */
final class SourcePrograms {
    private SourcePrograms() {}

    /** Compiles {@code sources} (binary class name → source) into a new directory under {@code root}. */
    static Path compile(Path root, Map<String, String> sources) {
        try {
            Path sourceDirectory = Files.createTempDirectory(root, "src");
            Path classes = Files.createTempDirectory(root, "classes");
            List<Path> files = new ArrayList<>();
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = sourceDirectory.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                files.add(file);
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            StringWriter errors = new StringWriter();
            try (StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
                Iterable<? extends JavaFileObject> units = fileManager.getJavaFileObjectsFromPaths(files);
                List<String> options = List.of("-nowarn", "-proc:none", "-classpath", runtimeClasses().toString(),
                        "-d", classes.toString());
                if (!javac.getTask(errors, fileManager, null, options, null, units).call()) {
                    throw new AssertionError("the test program does not compile:\n" + errors);
                }
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A class loader for {@code classes} whose parent (the test's loader) has the runtime. */
    static URLClassLoader loader(Path classes) {
        try {
            return new URLClassLoader(new URL[] {classes.toUri().toURL()}, SourcePrograms.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Where the runtime's classes are: a directory or a jar. */
    static Path runtimeClasses() {
        try {
            return Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
