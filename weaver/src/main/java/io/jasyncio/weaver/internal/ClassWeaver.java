package io.jasyncio.weaver.internal;

import io.jasyncio.weaver.Diagnostic;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.JSRInlinerAdapter;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.MethodVisitor;

/**
 * Weaves one class: the recipe. (1) Find the {@code @Async} methods: annotated ones and the
 * bodies of lambdas whose functional interface method is {@code @Async}. (2) Check every
 * method against the rules of {@code API.md}; a faulty method is replaced by one that throws
 * the diagnostic. (3) Analyse and rewrite each {@code @Async} method that has suspending calls.
 * (4) Mark the class woven and write it, computing frames from the class hierarchy.
 */
public final class ClassWeaver {

    /** The outcome for one class. */
    public record Outcome(String className, byte[] bytes, boolean changed, boolean alreadyWoven,
                          int wovenMethods, List<Diagnostic> diagnostics) {}

    /** A lambda's implementation method and the functional interface it implements. */
    private record LambdaTarget(String interfaceName, String methodName, boolean async) {}

    private final ClassHierarchy hierarchy;

    public ClassWeaver(ClassHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    public Outcome weave(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        String className = reader.getClassName().replace('/', '.');
        Scan scan = scan(reader, bytes);
        if (scan == Scan.WOVEN) {
            return new Outcome(className, bytes, false, true, 0, List.of());
        }
        if (scan == Scan.NOTHING) {
            return new Outcome(className, bytes, false, false, 0, List.of());
        }
        hierarchy.register(bytes);
        ClassNode node = new ClassNode();
        reader.accept(new ClassVisitorWithJsrInlining(node), ClassReader.SKIP_FRAMES);
        if (isWoven(node)) {
            return new Outcome(className, bytes, false, true, 0, List.of());
        }

        boolean isInterface = (node.access & Opcodes.ACC_INTERFACE) != 0;
        Map<String, LambdaTarget> lambdas = lambdaTargets(node);
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<MethodNode> bridges = new ArrayList<>();
        Map<MethodNode, Rewritten> rewritten = new HashMap<>();
        int woven = 0;
        boolean changed = false;
        Map<MethodNode, List<ClassHierarchy.MethodRef>> bridged = overriddenThroughBridges(node);
        for (MethodNode method : new ArrayList<>(node.methods)) {
            if (isBridge(method)) {
                continue; // a forwarder: the method it calls is checked and woven
            }
            LambdaTarget lambda = lambdas.get(method.name + method.desc);
            boolean async = isAnnotatedAsync(method) || (lambda != null && lambda.async());
            List<Diagnostic> problems = new ArrayList<>();
            checkOverride(node, method, async, bridged.getOrDefault(method, List.of()), problems);
            changed |= redirectFaultyReferences(node, method, diagnostics, bridges);
            if (method.instructions.size() == 0) {
                report(node, method, problems, diagnostics);
                changed |= !problems.isEmpty();
                continue;
            }
            List<MethodInsnNode> calls = suspendingCalls(method);
            if (!async) {
                if (!isBridge(method) && !isUnreferencedLambda(method, lambda)) {
                    for (MethodInsnNode call : calls) {
                        problems.add(notAsync(node, method, call, lambda));
                    }
                }
                changed |= report(node, method, problems, diagnostics);
                continue;
            }
            if ((method.access & Opcodes.ACC_SYNCHRONIZED) != 0) {
                problems.add(diagnostic(node, method, Bytecode.firstLine(method), "@Async method is synchronized",
                        "remove synchronized; guard state shared across suspensions with io.jasyncio.sync.Lock"));
            }
            if (!problems.isEmpty()) {
                changed |= report(node, method, problems, diagnostics);
                continue;
            }
            StateMachineTransformer transformer = new StateMachineTransformer(node.name, isInterface, node.sourceFile, method,
                    method.name.replace('<', '_').replace('>', '_') + "$resume$" + bridges.size());
            if (calls.isEmpty()) {
                transformer.addEntryCheck();
                changed = true;
                continue;
            }
            try {
                MethodNode pristine = copy(method);
                MethodNode bridge = rewrite(node, method, calls, transformer, problems);
                if (bridge != null) {
                    bridges.add(bridge);
                    rewritten.put(method, new Rewritten(pristine, bridge, transformer.bridgeName()));
                    woven++;
                    changed = true;
                }
            } catch (AnalyzerException | RuntimeException e) {
                problems.add(diagnostic(node, method, Bytecode.firstLine(method),
                        "the weaver cannot rewrite this method (" + e + ")",
                        "please report it with the class file; meanwhile move the suspending calls into a simpler @Async method"));
            }
            changed |= report(node, method, problems, diagnostics);
        }
        // Source order: javac puts lambda bodies after every other method.
        diagnostics.sort(java.util.Comparator.comparingInt(Diagnostic::line));
        if (!changed) {
            return new Outcome(className, bytes, false, false, 0, diagnostics);
        }
        node.methods.addAll(bridges);
        markWoven(node);
        if ((node.version & 0xFFFF) < Opcodes.V1_8) {
            node.version = Opcodes.V1_8;
        }
        byte[] written = write(node, rewritten, diagnostics);
        diagnostics.sort(java.util.Comparator.comparingInt(Diagnostic::line)); // a method too large comes in order too
        return new Outcome(className, written, true, false, woven, diagnostics);
    }

    /** A method as it was before its rewriting, and the bridge the rewriting made for it. */
    private record Rewritten(MethodNode pristine, MethodNode bridge, String bridgeName) {}

    /**
     * Writes the class, computing frames. A method that the rewriting pushed over the JVM's
     * 64 KiB code limit is first rewritten again saving only its live locals (not the ones kept
     * for debuggers); if it is still too large, it becomes one that throws a diagnostic. Either
     * way the class is written again.
     */
    private byte[] write(ClassNode node, Map<MethodNode, Rewritten> rewritten, List<Diagnostic> diagnostics) {
        for (int attempt = 0; ; attempt++) {
            try {
                ClassWriter writer = new HierarchyClassWriter(hierarchy, ClassWriter.COMPUTE_FRAMES);
                node.accept(writer);
                return writer.toByteArray();
            } catch (MethodTooLargeException tooLarge) {
                MethodNode method = find(node, tooLarge.getMethodName(), tooLarge.getDescriptor());
                if (method == null || attempt > 2 * node.methods.size()) {
                    throw tooLarge;
                }
                Rewritten before = rewritten.remove(method);
                if (before != null && rewriteLiveLocalsOnly(node, method, before)) {
                    continue;
                }
                List<Diagnostic> problems = new ArrayList<>();
                problems.add(diagnostic(node, method, Bytecode.firstLine(method),
                        "the method is too large once woven (" + tooLarge.getCodeSize()
                                + " bytes of code; the JVM's limit is 65535)",
                        "split it into smaller @Async methods"));
                report(node, method, problems, diagnostics);
            }
        }
    }

    /**
     * Replaces {@code method}, in place in the class, by its pristine copy rewritten to save
     * live locals only, and its bridge by the new one. False when that rewriting fails, which
     * it should not, since the first one succeeded on the same code.
     */
    private boolean rewriteLiveLocalsOnly(ClassNode node, MethodNode method, Rewritten before) {
        MethodNode again = before.pristine();
        StateMachineTransformer transformer = new StateMachineTransformer(node.name,
                (node.access & Opcodes.ACC_INTERFACE) != 0, node.sourceFile, again, before.bridgeName()).liveLocalsOnly();
        MethodNode bridge;
        try {
            bridge = rewrite(node, again, suspendingCalls(again), transformer, new ArrayList<>());
        } catch (AnalyzerException | RuntimeException e) {
            return false;
        }
        int at = node.methods.indexOf(method);
        int bridgeAt = node.methods.indexOf(before.bridge());
        if (bridge == null || at < 0 || bridgeAt < 0) {
            return false;
        }
        node.methods.set(at, again);
        node.methods.set(bridgeAt, bridge);
        return true;
    }

    /** A deep copy, labels included, to rewrite again from. */
    private static MethodNode copy(MethodNode method) {
        MethodNode copy = new MethodNode(Opcodes.ASM9, method.access, method.name, method.desc, method.signature,
                method.exceptions == null ? null : method.exceptions.toArray(new String[0]));
        method.accept(copy);
        return copy;
    }

    private static MethodNode find(ClassNode node, String name, String descriptor) {
        for (MethodNode method : node.methods) {
            if (method.name.equals(name) && method.desc.equals(descriptor)) {
                return method;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- quick scan

    private enum Scan { NOTHING, WOVEN, WEAVE }

    /**
     * Decides from the constant pool alone whether the class can have anything to weave or
     * check: it mentions {@code @Async}, extends or implements a type that has {@code @Async}
     * methods, calls a method of such a type, or makes a lambda of such an interface. Most
     * classes stop here.
     */
    private Scan scan(ClassReader reader, byte[] bytes) {
        char[] buffer = new char[reader.getMaxStringLength()];
        // A supertype with @Async methods: an override must be checked even if nothing else
        // in the class mentions jasyncio.
        boolean candidate = reader.getSuperName() != null && hierarchy.hasAsyncMethods(reader.getSuperName());
        for (String itf : reader.getInterfaces()) {
            candidate |= hierarchy.hasAsyncMethods(itf);
        }
        for (int i = 1; i < reader.getItemCount(); i++) {
            int offset = reader.getItem(i);
            if (offset == 0) {
                continue;
            }
            int tag = bytes[offset - 1];
            switch (tag) {
                case 1: // Utf8
                    if (utf8Equals(bytes, offset, Names.WOVEN) && carriesWovenMarker(reader)) {
                        return Scan.WOVEN; // a string constant may spell the descriptor too
                    }
                    if (utf8Equals(bytes, offset, Names.ASYNC)) {
                        candidate = true;
                    }
                    break;
                case 10: // Methodref
                case 11: // InterfaceMethodref
                    if (!candidate && hierarchy.hasAsyncMethods(reader.readClass(offset, buffer))) {
                        candidate = true;
                    }
                    break;
                case 18: // InvokeDynamic
                    if (!candidate) {
                        int nameAndType = reader.getItem(reader.readUnsignedShort(offset + 2));
                        String descriptor = reader.readUTF8(nameAndType + 2, buffer);
                        Type result = Type.getReturnType(descriptor);
                        if (result.getSort() == Type.OBJECT && hierarchy.hasAsyncMethods(result.getInternalName())) {
                            candidate = true;
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        return candidate ? Scan.WEAVE : Scan.NOTHING;
    }

    private static boolean utf8Equals(byte[] bytes, int offset, String ascii) {
        int length = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
        if (length != ascii.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[offset + 2 + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- finding @Async code

    private static boolean isAnnotatedAsync(MethodNode method) {
        if (method.visibleAnnotations != null) {
            for (AnnotationNode annotation : method.visibleAnnotations) {
                if (Names.ASYNC.equals(annotation.desc)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the class itself is annotated with the marker; reads no code. */
    private static boolean carriesWovenMarker(ClassReader reader) {
        boolean[] found = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                found[0] |= Names.WOVEN.equals(descriptor);
                return null;
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }

    private static boolean isWoven(ClassNode node) {
        if (node.invisibleAnnotations != null) {
            for (AnnotationNode annotation : node.invisibleAnnotations) {
                if (Names.WOVEN.equals(annotation.desc)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void markWoven(ClassNode node) {
        AnnotationNode marker = new AnnotationNode(Names.WOVEN);
        marker.values = new ArrayList<>(List.of("version", Names.ABI_VERSION));
        if (node.invisibleAnnotations == null) {
            node.invisibleAnnotations = new ArrayList<>();
        }
        node.invisibleAnnotations.add(marker);
    }

    /**
     * A lambda body that no {@code invokedynamic} of the class names: javac compiles lambdas in
     * code it then drops ({@code if (DEBUG)} on a constant {@code false}). It can never be
     * called, and what interface it was for is unknown, so it is not checked.
     */
    private static boolean isUnreferencedLambda(MethodNode method, LambdaTarget lambda) {
        return lambda == null && (method.access & Opcodes.ACC_SYNTHETIC) != 0 && method.name.startsWith("lambda$");
    }

    private static boolean isBridge(MethodNode method) {
        return (method.access & (Opcodes.ACC_BRIDGE)) != 0;
    }

    /** The lambda bodies of this class, keyed by name + descriptor, with their interfaces. */
    private Map<String, LambdaTarget> lambdaTargets(ClassNode node) {
        Map<String, LambdaTarget> targets = new HashMap<>();
        for (MethodNode method : node.methods) {
            for (AbstractInsnNode insn : method.instructions) {
                InvokeDynamicInsnNode indy = lambdaCreation(insn);
                if (indy == null) {
                    continue;
                }
                Handle implementation = (Handle) indy.bsmArgs[1];
                if (!implementation.getOwner().equals(node.name)) {
                    continue;
                }
                String itf = Type.getReturnType(indy.desc).getInternalName();
                boolean async = isAsyncInterfaceMethod(indy);
                String key = implementation.getName() + implementation.getDesc();
                LambdaTarget previous = targets.get(key);
                if (previous == null || async) {
                    targets.put(key, new LambdaTarget(itf, indy.name, async));
                }
            }
        }
        return targets;
    }

    /**
     * {@code insn} when it makes a lambda or method reference through the JDK's
     * {@code LambdaMetafactory} (its arguments: the interface method's type, the implementation,
     * the instantiated type), {@code null} otherwise.
     */
    private static InvokeDynamicInsnNode lambdaCreation(AbstractInsnNode insn) {
        if (!(insn instanceof InvokeDynamicInsnNode)) {
            return null;
        }
        InvokeDynamicInsnNode indy = (InvokeDynamicInsnNode) insn;
        boolean lambda = Names.LAMBDA_METAFACTORY.equals(indy.bsm.getOwner()) && indy.bsmArgs.length >= 3
                && indy.bsmArgs[0] instanceof Type && indy.bsmArgs[1] instanceof Handle && indy.bsmArgs[2] instanceof Type;
        return lambda ? indy : null;
    }

    /** Whether the interface method a lambda creation implements is {@code @Async}. */
    private boolean isAsyncInterfaceMethod(InvokeDynamicInsnNode lambdaCreation) {
        String itf = Type.getReturnType(lambdaCreation.desc).getInternalName();
        ClassHierarchy.MethodRef sam = hierarchy.resolve(itf, lambdaCreation.name,
                ((Type) lambdaCreation.bsmArgs[0]).getDescriptor());
        return sam != null && sam.isAsync();
    }

    private List<MethodInsnNode> suspendingCalls(MethodNode method) {
        List<MethodInsnNode> calls = new ArrayList<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode) {
                MethodInsnNode call = (MethodInsnNode) insn;
                if (call.name.equals("<init>") || call.owner.startsWith("[") || Names.isPlatformClass(call.owner)) {
                    continue;
                }
                ClassHierarchy.MethodRef target = hierarchy.resolve(call.owner, call.name, call.desc);
                if (target != null && target.isAsync()) {
                    calls.add(call);
                }
            }
        }
        return calls;
    }

    // ---------------------------------------------------------------- rewriting

    private MethodNode rewrite(ClassNode node, MethodNode method, List<MethodInsnNode> calls,
                               StateMachineTransformer transformer, List<Diagnostic> problems) throws AnalyzerException {
        String reason = ConstructorRelocator.relocate(node.name, method, new LinkedHashSet<>(calls));
        if (reason != null) {
            problems.add(diagnostic(node, method, Bytecode.lineOf(calls.get(0)), reason,
                    "assign the result of the suspending call to a local variable before the constructor call"));
            return null;
        }
        List<Type> interfaces = new ArrayList<>();
        for (String itf : node.interfaces) {
            interfaces.add(Type.getObjectType(itf));
        }
        HierarchyVerifier verifier = new HierarchyVerifier(hierarchy, Type.getObjectType(node.name),
                node.superName == null ? null : Type.getObjectType(node.superName), interfaces,
                (node.access & Opcodes.ACC_INTERFACE) != 0);
        FlowAnalyzer analyzer = new FlowAnalyzer(verifier);
        Frame<BasicValue>[] frames = analyzer.run(node.name, method);
        int[] monitors = analyzer.monitorDepths(method);
        for (MethodInsnNode call : calls) {
            int index = method.instructions.indexOf(call);
            if (monitors[index] > 0) {
                problems.add(diagnostic(node, method, Bytecode.lineOf(call),
                        "suspending call to " + Bytecode.methodName(call.owner, call.name)
                                + " while a monitor is held (inside synchronized)",
                        "make the call outside the synchronized block; guard state shared across suspensions with io.jasyncio.sync.Lock"));
            }
        }
        if (!problems.isEmpty()) {
            return null;
        }
        BitSet[] live = analyzer.liveLocals(method);
        List<StateMachineTransformer.Point> points;
        try {
            points = transformer.plan(calls, frames, live);
        } catch (IllegalArgumentException unsupported) {
            problems.add(diagnostic(node, method, Bytecode.firstLine(method), unsupported.getMessage(),
                    "assign the result of the suspending call to a local variable first"));
            return null;
        }
        if (points.isEmpty()) {
            transformer.addEntryCheck();
            return null;
        }
        return transformer.rewrite(points);
    }

    // ---------------------------------------------------------------- rules and reports

    /**
     * The methods overridden through javac's bridges: {@code String call()} implementing
     * {@code AsyncCallable<String>.call()} overrides {@code Object call()} only through the
     * bridge {@code Object call()} that forwards to it. Keyed by the method the bridge calls.
     */
    private Map<MethodNode, List<ClassHierarchy.MethodRef>> overriddenThroughBridges(ClassNode node) {
        Map<MethodNode, List<ClassHierarchy.MethodRef>> found = new HashMap<>();
        for (MethodNode bridge : node.methods) {
            if (!isBridge(bridge)) {
                continue;
            }
            MethodNode target = null;
            for (AbstractInsnNode insn : bridge.instructions) {
                if (insn instanceof MethodInsnNode && ((MethodInsnNode) insn).name.equals(bridge.name)) {
                    target = find(node, bridge.name, ((MethodInsnNode) insn).desc);
                }
            }
            if (target != null && target != bridge) {
                found.computeIfAbsent(target, key -> new ArrayList<>())
                        .addAll(hierarchy.overridden(node.name, bridge.name, bridge.desc));
            }
        }
        return found;
    }

    private void checkOverride(ClassNode node, MethodNode method, boolean async,
                               List<ClassHierarchy.MethodRef> throughBridges, List<Diagnostic> problems) {
        if ((method.access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) != 0
                || method.name.startsWith("<")) {
            return;
        }
        List<ClassHierarchy.MethodRef> overriddenMethods = new ArrayList<>(hierarchy.overridden(node.name, method.name, method.desc));
        overriddenMethods.addAll(throughBridges);
        java.util.Set<String> reported = new java.util.HashSet<>();
        for (ClassHierarchy.MethodRef overridden : overriddenMethods) {
            if (overridden.isAsync() == async || !reported.add(overridden.owner() + "." + overridden.name())) {
                continue;
            }
            String other = Bytecode.methodName(overridden.owner(), overridden.name());
            if (async) {
                problems.add(diagnostic(node, method, Bytecode.firstLine(method),
                        "@Async method overrides " + other + ", which is not @Async",
                        "make " + other + " @Async too, or remove @Async here"));
            } else {
                problems.add(diagnostic(node, method, Bytecode.firstLine(method),
                        "method overrides @Async method " + other + " but is not @Async",
                        "annotate " + method.name + "() with @Async"));
            }
        }
    }

    /**
     * A method reference to an {@code @Async} method through an interface whose method is not
     * {@code @Async} ({@code Supplier<String> s = task::await}) would call it from code that is
     * not woven. It is reported where the reference is made, and redirected to a synthetic
     * method that throws the report: like a faulty lambda, the reference throws when called,
     * while the method that makes it is left alone.
     */
    private boolean redirectFaultyReferences(ClassNode node, MethodNode method, List<Diagnostic> diagnostics,
                                             List<MethodNode> extraMethods) {
        boolean changed = false;
        for (AbstractInsnNode insn : method.instructions) {
            InvokeDynamicInsnNode indy = lambdaCreation(insn);
            if (indy == null) {
                continue;
            }
            Handle target = (Handle) indy.bsmArgs[1];
            if (target.getTag() == Opcodes.H_NEWINVOKESPECIAL || target.getOwner().startsWith("[")
                    || Names.isPlatformClass(target.getOwner())) {
                continue;
            }
            ClassHierarchy.MethodRef callee = hierarchy.resolve(target.getOwner(), target.getName(), target.getDesc());
            if (callee == null || !callee.isAsync()) {
                continue;
            }
            String itf = Type.getReturnType(indy.desc).getInternalName();
            if (isAsyncInterfaceMethod(indy)) {
                continue;
            }
            Diagnostic problem = diagnostic(node, method, Bytecode.lineOf(indy),
                    "method reference to @Async method " + Bytecode.methodName(target.getOwner(), target.getName())
                            + " for " + itf.replace('/', '.') + ", whose method " + indy.name + "() is not @Async",
                    "use an @Async functional interface such as AsyncCallable or AsyncRunnable, run with "
                            + "Asyncio.run or Asyncio.createTask, or call it in a lambda of an @Async method");
            diagnostics.add(problem);
            Type instantiated = (Type) indy.bsmArgs[2];
            List<Type> parameters = new ArrayList<>(List.of(Type.getArgumentTypes(indy.desc)));
            parameters.addAll(List.of(instantiated.getArgumentTypes()));
            String descriptor = Type.getMethodDescriptor(instantiated.getReturnType(), parameters.toArray(new Type[0]));
            MethodNode thrower = new MethodNode(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
                    "misuse$" + extraMethods.size(), descriptor, null, null);
            if (problem.line() > 0) {
                LabelNode start = new LabelNode();
                thrower.instructions.add(start);
                thrower.instructions.add(new LineNumberNode(problem.line(), start));
            }
            Bytecode.throwIllegalState(thrower.instructions, problem.format());
            extraMethods.add(thrower);
            Object[] arguments = indy.bsmArgs.clone();
            arguments[1] = new Handle(Opcodes.H_INVOKESTATIC, node.name, thrower.name, descriptor,
                    (node.access & Opcodes.ACC_INTERFACE) != 0);
            indy.bsmArgs = arguments;
            changed = true;
        }
        return changed;
    }

    private Diagnostic notAsync(ClassNode node, MethodNode method, MethodInsnNode call, LambdaTarget lambda) {
        String callee = Bytecode.methodName(call.owner, call.name);
        int line = Bytecode.lineOf(call);
        if (lambda != null) {
            return diagnostic(node, method, line,
                    "suspending call to " + callee + " in a lambda for " + lambda.interfaceName().replace('/', '.')
                            + ", whose method " + lambda.methodName() + "() is not @Async",
                    "pass an @Async functional interface such as AsyncCallable or AsyncRunnable, run with "
                            + "Asyncio.run or Asyncio.createTask, or make the calls in a loop of the @Async method");
        }
        if (method.name.equals("<init>")) {
            return diagnostic(node, method, line, "suspending call to " + callee + " in a constructor",
                    "move the call into an @Async method; constructors cannot suspend");
        }
        if (method.name.equals("<clinit>")) {
            return diagnostic(node, method, line, "suspending call to " + callee + " in a static initializer",
                    "move the call into an @Async method; static initializers cannot suspend");
        }
        return diagnostic(node, method, line, "suspending call to " + callee + " in a method that is not @Async",
                "annotate " + method.name + "() with @Async and call it from a task started with Asyncio.run or Asyncio.createTask");
    }

    private static Diagnostic diagnostic(ClassNode node, MethodNode method, int line, String message, String fix) {
        return new Diagnostic(node.name.replace('/', '.'), method.name, method.desc, node.sourceFile, line, message, fix);
    }

    /**
     * Adds the method's problems to the class's and, when there are any, replaces its body by one
     * that throws the first of them. Returns whether the method changed.
     */
    private static boolean report(ClassNode node, MethodNode method, List<Diagnostic> problems, List<Diagnostic> all) {
        if (problems.isEmpty()) {
            return false;
        }
        all.addAll(problems);
        if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return true;
        }
        Diagnostic first = problems.get(0);
        InsnList body = new InsnList();
        if (first.line() > 0) {
            LabelNode start = new LabelNode();
            body.add(start);
            body.add(new LineNumberNode(first.line(), start));
        }
        Bytecode.throwIllegalState(body, first.format());
        method.instructions = body;
        method.tryCatchBlocks = new ArrayList<>();
        method.localVariables = null;
        method.visibleLocalVariableAnnotations = null;
        method.invisibleLocalVariableAnnotations = null;
        method.visibleTypeAnnotations = null;
        method.invisibleTypeAnnotations = null;
        return true;
    }


    /** Reads methods through {@link JSRInlinerAdapter}, so old class files have no JSR/RET. */
    private static final class ClassVisitorWithJsrInlining extends org.objectweb.asm.ClassVisitor {
        private final ClassNode node;

        ClassVisitorWithJsrInlining(ClassNode node) {
            super(Opcodes.ASM9, node);
            this.node = node;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor target = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((node.version & 0xFFFF) >= Opcodes.V1_7) {
                return target;
            }
            return new JSRInlinerAdapter(target, access, name, descriptor, signature, exceptions);
        }
    }
}
