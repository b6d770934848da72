package io.jasyncio.weaver.corpus;

import io.jasyncio.weaver.ClassFinder;
import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.SimpleVerifier;
import org.objectweb.asm.util.CheckClassAdapter;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceMethodVisitor;

/**
 * A fixture program after weaving: the weaver's result for each of its classes, the checks
 * every woven class must pass, and a fresh class loader to run it in.
 */
final class WovenProgram {
    private final FixtureProgram program;
    /** Binary name to the weaver's result, in the program's order. */
    private final Map<String, WeaveResult> results;

    private WovenProgram(FixtureProgram program, Map<String, WeaveResult> results) {
        this.program = program;
        this.results = Collections.unmodifiableMap(results);
    }

    /**
     * Weaves every class of {@code program} the way the agent would: one {@link Weaver} whose
     * {@link ClassFinder} reads the program's own (unwoven) class files, and the others (the
     * runtime, the JDK) as resources of the test's class loader.
     */
    static WovenProgram weave(FixtureProgram program) {
        ClassFinder resources = ClassFinder.ofClassLoader(WovenProgram.class.getClassLoader());
        ClassFinder finder = internalName -> {
            byte[] own = program.classFiles().get(internalName.replace('/', '.'));
            return own != null ? own.clone() : resources.find(internalName);
        };
        Weaver weaver = new Weaver(finder);
        Map<String, WeaveResult> results = new LinkedHashMap<>();
        program.classFiles().forEach((name, bytes) -> results.put(name, weaver.weave(bytes.clone())));
        return new WovenProgram(program, results);
    }

    FixtureProgram program() {
        return program;
    }

    Map<String, WeaveResult> results() {
        return results;
    }

    /** Every diagnostic of every class, in class order. */
    List<Diagnostic> diagnostics() {
        List<Diagnostic> all = new ArrayList<>();
        results.values().forEach(result -> all.addAll(result.diagnostics()));
        return all;
    }

    /** Binary name to the bytes to load: the woven ones, or the input where nothing changed. */
    Map<String, byte[]> wovenClasses() {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        results.forEach((name, result) -> classes.put(name, result.bytes()));
        return classes;
    }

    /** A new class loader holding the woven program; see {@link FixtureClassLoader}. */
    FixtureClassLoader newClassLoader() {
        return new FixtureClassLoader(program.simpleName(), wovenClasses(), WovenProgram.class.getClassLoader());
    }

    /**
     * A new class loader holding the woven program with each class file's version lowered to
     * what this JVM loads, for {@link #verify} to resolve types through when the program was
     * compiled for a later Java than the one running the tests. Never used to run the program.
     */
    FixtureClassLoader newClassLoaderForVerification() {
        int newest = Runtime.version().feature() + 44;
        Map<String, byte[]> lowered = new LinkedHashMap<>();
        wovenClasses().forEach((name, bytes) -> {
            int major = ((bytes[6] & 0xFF) << 8) | (bytes[7] & 0xFF);
            byte[] copy = bytes.clone();
            if (major > newest) {
                copy[4] = 0;
                copy[5] = 0;
                copy[6] = (byte) (newest >> 8);
                copy[7] = (byte) newest;
            }
            lowered.put(name, copy);
        });
        return new FixtureClassLoader(program.simpleName(), lowered, WovenProgram.class.getClassLoader());
    }

    /**
     * Checks every woven class with ASM's {@code CheckClassAdapter}, resolving types through
     * {@code loader} (which should hold this program), and returns what it reported: the empty
     * string when every class is well formed and every method passes the data-flow check.
     */
    String verify(ClassLoader loader) {
        StringBuilder report = new StringBuilder();
        results.forEach((name, result) -> {
            String problems = verify(result.bytes(), loader);
            if (!problems.isEmpty()) {
                report.append("--- ").append(name).append('\n').append(problems);
            }
        });
        return report.toString();
    }

    /**
     * Has the JVM itself verify every class of the program in {@code loader}, which must hold
     * this program: each is loaded and linked (reflection links a class) but not initialized,
     * so no static initializer runs. ASM's {@code SimpleVerifier} does not model uninitialized
     * objects or every type merge, so the JVM catches what it misses. Returns the
     * {@code VerifyError}s and other linkage errors; empty when every class links.
     */
    String link(ClassLoader loader) {
        return link(results.keySet(), loader);
    }

    /** Links the classes {@code names} of {@code loader} without initializing them; see {@link #link(ClassLoader)}. */
    static String link(Iterable<String> names, ClassLoader loader) {
        StringBuilder report = new StringBuilder();
        for (String name : names) {
            try {
                Class.forName(name, false, loader).getDeclaredMethods();
            } catch (ClassNotFoundException | LinkageError e) {
                report.append("--- ").append(name).append('\n').append(e).append('\n');
            }
        }
        return report.toString();
    }

    /** The {@code CheckClassAdapter} report on one class file; empty when it is sound. */
    static String verify(byte[] classFile, ClassLoader loader) {
        StringWriter out = new StringWriter();
        PrintWriter printer = new PrintWriter(out);
        try {
            CheckClassAdapter.verify(new ClassReader(classFile), loader, /* printResults = */ false, printer);
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace(printer);
        }
        printer.flush();
        String report = out.toString();
        return report.isEmpty() ? report : failingMethods(classFile, loader) + report;
    }

    /**
     * Names the methods that {@code CheckClassAdapter.verify} rejected, which its own report does
     * not: one line each, {@code name descriptor: problem}, with the woven method's text.
     */
    private static String failingMethods(byte[] classFile, ClassLoader loader) {
        ClassNode node = new ClassNode();
        new ClassReader(classFile).accept(node, ClassReader.SKIP_DEBUG);
        Type owner = Type.getObjectType(node.name);
        Type superType = node.superName == null ? null : Type.getObjectType(node.superName);
        List<Type> interfaces = new ArrayList<>();
        node.interfaces.forEach(name -> interfaces.add(Type.getObjectType(name)));
        boolean isInterface = (node.access & Opcodes.ACC_INTERFACE) != 0;
        StringBuilder names = new StringBuilder();
        for (MethodNode method : node.methods) {
            SimpleVerifier verifier = new SimpleVerifier(owner, superType, interfaces, isInterface);
            verifier.setClassLoader(loader);
            try {
                new Analyzer<>(verifier).analyze(node.name, method);
            } catch (AnalyzerException | RuntimeException | LinkageError e) {
                names.append("method ").append(method.name).append(method.desc).append(": ").append(e.getMessage())
                        .append('\n').append(text(method));
            }
        }
        return names.toString();
    }

    private static String text(MethodNode method) {
        Textifier textifier = new Textifier();
        method.accept(new TraceMethodVisitor(textifier));
        StringWriter out = new StringWriter();
        textifier.print(new PrintWriter(out));
        return out.toString();
    }
}
