package io.jasyncio.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The agent start-up workload: a program of many generated classes with nothing to weave, and a
 * no-op agent jar for the floor.
 *
 * <p>Class {@code gen.C<n>} ({@code n} = 0 .. count-1) has a few fields and a static
 * {@code run(int)} that does some arithmetic, appends to a {@code StringBuilder}, uses a
 * non-capturing and a capturing lambda of {@code java.util.function} types and calls
 * {@code gen.C<n+1>.run} (the last class returns instead). {@code gen.Main} calls
 * {@code gen.C0.run(7)} and prints {@code checksum <value>}: running it loads every class.
 */
final class StartupProgram {
    private StartupProgram() {}

    /** Writes and compiles the program into {@code directory}/classes (once per count); returns that directory. */
    static Path build(Path directory, int count) throws IOException {
        Path classes = directory.resolve("classes-" + count);
        if (Files.exists(classes.resolve("gen/Main.class"))) {
            return classes;
        }
        Path sources = directory.resolve("sources-" + count + "/gen");
        Files.createDirectories(sources);
        List<String> files = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Path file = sources.resolve("C" + n + ".java");
            Files.writeString(file, classSource(n, count));
            files.add(file.toString());
        }
        Path main = sources.resolve("Main.java");
        Files.writeString(main, "package gen;\n\npublic final class Main {\n"
                + "    public static void main(String[] args) {\n"
                + "        System.out.println(\"checksum \" + C0.run(7));\n"
                + "    }\n}\n");
        files.add(main.toString());
        Path building = directory.resolve("classes-" + count + ".building");
        Files.createDirectories(building);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in " + System.getProperty("java.home")
                    + ": the start-up workload compiles its generated program; run on a JDK, not a JRE");
        }
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-nowarn", "-d", building.toString()));
        arguments.addAll(files);
        int status = javac.run(null, null, null, arguments.toArray(new String[0]));
        if (status != 0) {
            throw new IllegalStateException("javac failed (status " + status + ") on the generated program in " + sources);
        }
        Files.move(building, classes);
        return classes;
    }

    private static String classSource(int n, int count) {
        String next = n + 1 < count ? "C" + (n + 1) + ".run(x + " + (n % 7 + 1) + ")" : "0L";
        return "package gen;\n\n"
                + "import java.util.function.IntUnaryOperator;\n"
                + "import java.util.function.LongSupplier;\n\n"
                + "public final class C" + n + " {\n"
                + "    private static int calls;\n"
                + "    private final int seed;\n"
                + "    private final long scaled;\n"
                + "    private final String label;\n\n"
                + "    private C" + n + "(int seed) {\n"
                + "        this.seed = seed;\n"
                + "        this.scaled = seed * 31L + " + n + ";\n"
                + "        this.label = \"C" + n + ":\" + seed;\n"
                + "    }\n\n"
                + "    public static long run(int x) {\n"
                + "        C" + n + " self = new C" + n + "(x ^ " + (n * 17) + ");\n"
                + "        StringBuilder text = new StringBuilder(self.label).append('/').append(self.scaled);\n"
                + "        IntUnaryOperator twice = v -> v * 2 + 1;\n"
                + "        LongSupplier mixed = () -> self.scaled ^ text.length();\n"
                + "        calls++;\n"
                + "        long here = twice.applyAsInt(self.seed % 1000) + mixed.getAsLong() + calls;\n"
                + "        return here + " + next + ";\n"
                + "    }\n"
                + "}\n";
    }

    /** Writes a jar whose agent is {@link NoopAgent}, taken from {@code classes}; returns it. */
    static Path noopAgentJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoopAgent.class.getName());
        String entry = NoopAgent.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(classes.resolve(entry)));
            out.closeEntry();
        }
        return jar;
    }
}
