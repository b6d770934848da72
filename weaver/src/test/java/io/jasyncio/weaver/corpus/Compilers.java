package io.jasyncio.weaver.corpus;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.eclipse.jdt.core.compiler.batch.BatchCompiler;

/**
 * Compiles fixture sources at test time, against the runtime only, with javac (any options) or
 * the Eclipse compiler, so that the weaver meets the bytecode shapes of each.
 */
final class Compilers {
    private Compilers() {}

    /** Compiles {@code sources} into {@code out} with javac and {@code options}; returns the errors, empty on success. */
    static String javac(List<String> options, List<Path> sources, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            List<String> all = new ArrayList<>(options);
            all.addAll(List.of("-nowarn", "-proc:none", "-classpath", runtimeClasses().toString(), "-d", out.toString()));
            boolean compiled = javac.getTask(new StringWriter(), files, diagnostic -> {
                if (diagnostic.getKind() == Diagnostic.Kind.ERROR) {
                    errors.append(diagnostic.toString()).append('\n');
                }
            }, all, null, units).call();
            return compiled ? "" : errors.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles {@code sources} into {@code out} with ECJ at Java 17; returns the errors, empty on success. */
    static String ecj(List<Path> sources, Path out) {
        return ecj(List.of("-17"), sources, out);
    }

    /** Compiles {@code sources} into {@code out} with ECJ and {@code options}; returns the errors, empty on success. */
    static String ecj(List<String> options, List<Path> sources, Path out) {
        List<String> arguments = new ArrayList<>(options);
        arguments.addAll(List.of("-nowarn", "-proc:none", "-encoding", "UTF-8",
                "-classpath", runtimeClasses().toString(), "-d", out.toString()));
        sources.forEach(source -> arguments.add(source.toString()));
        StringWriter errors = new StringWriter();
        boolean compiled = BatchCompiler.compile(arguments.toArray(new String[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(errors), null);
        return compiled ? "" : errors.toString();
    }

    /** Where the runtime's classes are: the only library the fixtures compile against. */
    static Path runtimeClasses() {
        try {
            return Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
