package io.jasyncio.weaver.corpus;

import io.jasyncio.weaver.ClassFinder;
import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Differential fuzzing of the weaver: writes the {@link RandomProgram}s of a range of seeds,
 * compiles them in batches (one compiler call for {@value #BATCH} programs, one javac and one
 * file manager for the whole run), and checks each (see {@link #check}): run unwoven with its
 * suspending calls completing synchronously, which is plain Java, then woven and parking at
 * every suspending call; both runs in fresh class loaders, in this JVM, with a timeout each.
 * A program whose woven run differs is shrunk by {@link Shrinker} and saved as a fixture.
 *
 * <p>{@link #main} runs a range outside Maven, for long runs from a copy of the class files:
 * {@code java -cp ... io.jasyncio.weaver.corpus.Fuzzer <compiler> <firstSeed> <count>}.
 */
final class Fuzzer {
    /** How many programs one compiler call compiles. */
    static final int BATCH = 50;
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    /**
     * The verdict for a program whose method the weaver refuses, rightly, because once woven it
     * would exceed the JVM's 64 KiB code limit: a documented limit, counted apart, not a failure.
     */
    static final String TOO_LARGE = "too large once woven";

    /** The compilers a program can be compiled with, each laying out bytecode its own way. */
    enum Compiler {
        JAVAC("javac --release 17"),
        JAVAC_8("javac -source 8 -target 8"),
        JAVAC_NO_DEBUG_INFO("javac --release 17 -g:none"),
        ECJ("ECJ -17");

        final String description;

        Compiler(String description) {
            this.description = description;
        }

        /** Whether the programs may use language features newer than Java 8. */
        boolean modern() {
            return this != JAVAC_8;
        }
    }

    /**
     * How one program fared. {@code kind} is {@code "ok"}, {@code "skipped"} or the kind of
     * failure, which the shrinker keeps while it cuts the program down.
     *
     * @param kind what happened, short and stable across shrinking
     * @param detail everything else, for the failure message
     * @param expectedOutput what the unwoven program printed
     */
    record Verdict(String kind, String detail, String expectedOutput) {
        boolean failed() {
            return !kind.equals("ok") && !kind.equals("skipped") && !kind.equals(TOO_LARGE);
        }
    }

    /** One failing program, and where its shrunk fixture was saved. */
    record Failure(long seed, Compiler compiler, Verdict verdict, Path saved) {
        String describe() {
            return "seed " + seed + " (" + compiler.description + "): " + verdict.kind()
                    + (saved == null ? "" : "\n  shrunk fixture and expected output saved in " + saved)
                    + "\n" + verdict.detail();
        }
    }

    /** What a run of a seed range found. */
    static final class Report {
        final Compiler compiler;
        final long firstSeed;
        long programs;
        long skipped;
        long tooLarge;
        final List<Failure> failures = new ArrayList<>();

        Report(Compiler compiler, long firstSeed) {
            this.compiler = compiler;
            this.firstSeed = firstSeed;
        }

        String summary() {
            return compiler.description + ": " + programs + " programs run (seeds " + firstSeed + ".."
                    + (firstSeed + programs + skipped - 1) + "), " + skipped + " skipped, " + tooLarge + " " + TOO_LARGE
                    + " (refused with the weaver's limit diagnostic), " + failures.size() + " failures";
        }
    }

    private final Compiler compiler;
    private final Path work;
    private final Path failures;
    private final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    private final StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
    private int compilations;

    /**
     * @param compiler what compiles the programs
     * @param work a scratch directory for sources and class files
     * @param failures where shrunk failing programs are saved
     */
    Fuzzer(Compiler compiler, Path work, Path failures) {
        this.compiler = compiler;
        this.work = work;
        this.failures = failures;
    }

    /** Where failing programs are saved unless {@code jasyncio.fuzz.failures} says otherwise. */
    static Path defaultFailureDir() {
        String configured = System.getProperty("jasyncio.fuzz.failures");
        return configured != null ? Path.of(configured) : TestPaths.moduleDir().resolve("target/fuzz-failures");
    }

    static String className(long seed) {
        return "Generated" + seed;
    }

    /** Checks the programs of seeds {@code firstSeed..firstSeed+count-1}, telling {@code progress} about each batch and failure. */
    Report run(long firstSeed, long count, Consumer<String> progress) throws IOException {
        Report report = new Report(compiler, firstSeed);
        long end = firstSeed + count;
        for (long batchStart = firstSeed; batchStart < end; batchStart += BATCH) {
            long batchEnd = Math.min(end, batchStart + BATCH);
            Map<Long, String> sources = new LinkedHashMap<>();
            for (long seed = batchStart; seed < batchEnd; seed++) {
                sources.put(seed, RandomProgram.source(seed, className(seed), compiler.modern()));
            }
            Map<Long, Path> compiled = compileBatch(sources, report, progress);
            Map<Long, FixtureProgram> programs = new LinkedHashMap<>();
            compiled.forEach((seed, dir) -> programs.put(seed, FixtureProgram.load(FixtureProgram.FIXTURES + "."
                    + className(seed), dir)));
            Weaver weaver = batchWeaver(programs.values());
            for (Map.Entry<Long, FixtureProgram> entry : programs.entrySet()) {
                long seed = entry.getKey();
                Verdict verdict = quickCheck(entry.getValue(), weaver, compiler);
                if (verdict.failed() || verdict.kind().equals(TOO_LARGE)) {
                    // Again the thorough way, for a complete report and a kind the shrinker can keep.
                    Verdict thorough = check(entry.getValue(), compiler);
                    verdict = thorough.failed() || thorough.kind().equals(TOO_LARGE) ? thorough : new Verdict("flaky: " + verdict.kind(),
                            verdict.detail() + "\n(a second check passed)", verdict.expectedOutput());
                }
                if (verdict.kind().equals("skipped")) {
                    report.skipped++;
                    progress.accept("skipped seed " + seed + ": " + verdict.detail().lines().limit(5)
                            .collect(Collectors.joining("\n")));
                    continue;
                }
                report.programs++;
                if (verdict.kind().equals(TOO_LARGE)) {
                    report.tooLarge++;
                } else if (verdict.kind().startsWith("flaky")) {
                    Failure failure = new Failure(seed, compiler, verdict, null);
                    report.failures.add(failure);
                    progress.accept("FAILURE " + failure.describe());
                } else if (verdict.failed()) {
                    Failure failure = shrinkAndSave(seed, sources.get(seed), verdict);
                    report.failures.add(failure);
                    progress.accept("FAILURE " + failure.describe());
                }
            }
            compiled.values().stream().distinct().forEach(Fuzzer::deleteTree);
            progress.accept(report.summary());
        }
        return report;
    }

    /**
     * Compiles a batch in one call; when that fails, each program alone, so that only the
     * programs the compiler rejects (a bug of the generator) are reported. Returns seed to the
     * directory holding its class files.
     */
    private Map<Long, Path> compileBatch(Map<Long, String> sources, Report report, Consumer<String> progress)
            throws IOException {
        Map<Long, Path> compiled = new LinkedHashMap<>();
        Path out = work.resolve("classes" + ++compilations);
        String errors = compile(sources.values(), out);
        if (errors.isEmpty()) {
            sources.keySet().forEach(seed -> compiled.put(seed, out));
            return compiled;
        }
        deleteTree(out);
        for (Map.Entry<Long, String> entry : sources.entrySet()) {
            Path single = work.resolve("classes" + ++compilations);
            String error = compile(List.of(entry.getValue()), single);
            if (error.isEmpty()) {
                compiled.put(entry.getKey(), single);
            } else if (compiler == Compiler.ECJ && error.contains("Internal compiler error")) {
                // ECJ 3.38 crashes on some switch expressions that hold values below them on the
                // operand stack (EmptyStackException in SwitchExpression.generateCode): the same
                // bookkeeping that makes it write stack maps that do not verify. Not the weaver's concern.
                report.skipped++;
                progress.accept("skipped seed " + entry.getKey() + ": ECJ crashed: " + error.lines()
                        .filter(line -> line.contains("Internal compiler error")).findFirst().orElse(""));
                deleteTree(single);
            } else {
                report.programs++;
                Failure failure = new Failure(entry.getKey(), compiler,
                        new Verdict("does not compile", "RandomProgram wrote code that " + compiler.description
                                + " rejects:\n" + error + "\n--- source:\n" + entry.getValue(), ""), null);
                report.failures.add(failure);
                progress.accept("FAILURE " + failure.describe());
                deleteTree(single);
            }
        }
        return compiled;
    }

    /** Compiles {@code sources} (each a class of the fixtures package) into {@code out}; returns the errors, empty on success. */
    String compile(Iterable<String> sources, Path out) throws IOException {
        Path sourceDir = work.resolve("src" + compilations);
        Files.createDirectories(sourceDir);
        Files.createDirectories(out);
        List<Path> paths = new ArrayList<>();
        Pattern classDeclaration = Pattern.compile("public final class (\\w+)");
        for (String source : sources) {
            Matcher name = classDeclaration.matcher(source);
            if (!name.find()) {
                throw new IllegalArgumentException("no public final class in:\n" + source);
            }
            Path file = sourceDir.resolve(name.group(1) + ".java");
            Files.writeString(file, source, StandardCharsets.UTF_8);
            paths.add(file);
        }
        try {
            switch (compiler) {
                case ECJ:
                    return Compilers.ecj(paths, out);
                case JAVAC_8:
                    return javac(List.of("-source", "8", "-target", "8", "-Xlint:-options"), paths, out);
                case JAVAC_NO_DEBUG_INFO:
                    return javac(List.of("--release", "17", "-g:none"), paths, out);
                default:
                    return javac(List.of("--release", "17"), paths, out);
            }
        } finally {
            deleteTree(sourceDir);
        }
    }

    private String javac(List<String> options, List<Path> sources, Path out) {
        StringBuilder errors = new StringBuilder();
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of("-nowarn", "-proc:none", "-classpath", Compilers.runtimeClasses().toString(), "-d", out.toString()));
        boolean compiled = javac.getTask(new StringWriter(), files, diagnostic -> {
            if (diagnostic.getKind() == javax.tools.Diagnostic.Kind.ERROR) {
                errors.append(diagnostic).append('\n');
            }
        }, all, null, files.getJavaFileObjectsFromPaths(sources)).call();
        return compiled ? "" : errors.length() == 0 ? "javac failed without errors" : errors.toString();
    }

    /** Compiles and checks one program source with this fuzzer's compiler; {@code null} when it does not compile. */
    Verdict tryProgram(String source, String className) throws IOException {
        Path out = work.resolve("classes" + ++compilations);
        try {
            if (!compile(List.of(source), out).isEmpty()) {
                return null;
            }
            FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + "." + className, out);
            Verdict verdict = check(program, compiler);
            if (verdict.failed()) {
                // A cut program may print something that differs from run to run; it fails for
                // a reason of its own, not the weaver's.
                ProgramRun again = ProgramRun.run(new FixtureClassLoader(program.simpleName(), program.classFiles(),
                        Fuzzer.class.getClassLoader()), program.className(), TIMEOUT);
                if (!again.stdout().equals(verdict.expectedOutput())) {
                    return new Verdict("plain runs differ", "", verdict.expectedOutput());
                }
            }
            return verdict;
        } finally {
            deleteTree(out);
        }
    }

    private static boolean onlyTooLarge(List<Diagnostic> diagnostics) {
        return diagnostics.stream().allMatch(diagnostic -> diagnostic.message().contains("too large once woven"));
    }

    /** One weaver for a batch, so that what it reads of the runtime and the JDK is read once. */
    private static Weaver batchWeaver(Iterable<FixtureProgram> programs) {
        Map<String, byte[]> own = new HashMap<>();
        programs.forEach(program -> own.putAll(program.classFiles()));
        ClassFinder resources = ClassFinder.ofClassLoader(Fuzzer.class.getClassLoader());
        return new Weaver(internalName -> {
            byte[] bytes = own.get(internalName.replace('/', '.'));
            return bytes != null ? bytes.clone() : resources.find(internalName);
        });
    }

    /**
     * The fast check of a batch run: like {@link #check}, but weaving with the batch's weaver
     * and leaving the verification of the woven classes to the JVM; a program it fails is
     * checked again by {@link #check}.
     */
    private static Verdict quickCheck(FixtureProgram program, Weaver weaver, Compiler compiler) {
        String name = program.className();
        ClassLoader parent = Fuzzer.class.getClassLoader();
        ProgramRun reference = ProgramRun.run(new FixtureClassLoader(program.simpleName(), program.classFiles(), parent),
                name, TIMEOUT);
        if (compiler == Compiler.ECJ && reference.failure() instanceof VerifyError) {
            return new Verdict("skipped", "the unwoven class files do not verify: " + reference.failure(), "");
        }
        if (!reference.describeProblems().isEmpty()) {
            return new Verdict("reference run failed", reference.describeProblems(), reference.stdout());
        }
        Map<String, byte[]> woven = new HashMap<>();
        try {
            for (Map.Entry<String, byte[]> entry : program.classFiles().entrySet()) {
                WeaveResult result = weaver.weave(entry.getValue().clone());
                if (!result.diagnostics().isEmpty()) {
                    return new Verdict(onlyTooLarge(result.diagnostics()) ? TOO_LARGE : "weaver reported diagnostics", "",
                            reference.stdout());
                }
                woven.put(entry.getKey(), result.bytes());
            }
        } catch (RuntimeException | LinkageError e) {
            return new Verdict("weaver threw", stackTrace(e), reference.stdout());
        }
        ProgramRun run = ProgramRun.run(new FixtureClassLoader(program.simpleName(), woven, parent), name, TIMEOUT, "park");
        if (!run.describeProblems().isEmpty() || !reference.stdout().equals(run.stdout())) {
            return new Verdict("woven run differs", run.describeProblems(), reference.stdout());
        }
        return new Verdict("ok", "", reference.stdout());
    }

    /**
     * Runs {@code program} unwoven (not parking) and woven (parking at every suspending call
     * while another task runs), each in a fresh class loader; the woven classes must weave
     * without diagnostics, pass {@code CheckClassAdapter} and link, and the outputs be equal.
     */
    static Verdict check(FixtureProgram program, Compiler compiler) {
        String name = program.className();
        ClassLoader parent = Fuzzer.class.getClassLoader();
        ProgramRun reference = ProgramRun.run(new FixtureClassLoader(program.simpleName(), program.classFiles(), parent),
                name, TIMEOUT);
        if (compiler == Compiler.ECJ && reference.failure() instanceof VerifyError) {
            // ECJ 3.38 sometimes writes a StackMapTable that the JVM rejects ("bad offset") in
            // very long methods: the compiler's own output does not verify, not the weaver's concern.
            return new Verdict("skipped", "the unwoven class files do not verify: " + reference.failure(), "");
        }
        String referenceProblems = reference.describeProblems();
        if (!referenceProblems.isEmpty()) {
            String kind = reference.timedOut() ? "reference run timed out"
                    : "reference run threw " + (reference.failure() == null ? "nothing" : reference.failure().getClass().getName());
            return new Verdict(kind, "the unwoven program (plain Java) failed, a bug of the generator:\n" + referenceProblems,
                    reference.stdout());
        }
        WovenProgram woven;
        try {
            woven = WovenProgram.weave(program);
        } catch (RuntimeException | LinkageError e) {
            return new Verdict("weaver threw " + e.getClass().getName(), stackTrace(e), reference.stdout());
        }
        String diagnostics = woven.diagnostics().stream().map(Diagnostic::format).collect(Collectors.joining("\n"));
        if (!diagnostics.isEmpty()) {
            return new Verdict(onlyTooLarge(woven.diagnostics()) ? TOO_LARGE : "weaver reported diagnostics", diagnostics,
                    reference.stdout());
        }
        String verifyProblems = woven.verify(woven.newClassLoader());
        if (!verifyProblems.isEmpty()) {
            return new Verdict("woven class fails CheckClassAdapter", verifyProblems, reference.stdout());
        }
        String linkProblems = woven.link(woven.newClassLoader());
        if (!linkProblems.isEmpty()) {
            return new Verdict("woven class does not link", linkProblems, reference.stdout());
        }
        ProgramRun run = ProgramRun.run(woven.newClassLoader(), name, TIMEOUT, "park");
        String problems = run.describeProblems();
        if (run.timedOut()) {
            return new Verdict("woven run timed out", problems, reference.stdout());
        }
        if (run.failure() != null) {
            return new Verdict("woven run threw " + run.failure().getClass().getName(), problems, reference.stdout());
        }
        String difference = TextDiff.firstDifference(reference.stdout(), run.stdout());
        if (difference != null) {
            return new Verdict("woven output differs", difference + "\n" + problems, reference.stdout());
        }
        if (!problems.isEmpty()) {
            return new Verdict("woven run printed errors", problems, reference.stdout());
        }
        return new Verdict("ok", "", reference.stdout());
    }

    /** Shrinks the failing program of {@code seed} and saves it; a failure to shrink keeps the original. */
    private Failure shrinkAndSave(long seed, String source, Verdict verdict) {
        Path saved = null;
        try {
            Shrinker.Result shrunk = new Shrinker(candidate -> tryProgram(candidate, className(seed)), verdict.kind())
                    .shrink(source, verdict);
            saved = save(seed, source, shrunk);
        } catch (IOException | RuntimeException e) {
            return new Failure(seed, compiler, new Verdict(verdict.kind(), verdict.detail()
                    + "\n(shrinking or saving failed: " + stackTrace(e) + ")\n--- source:\n" + source,
                    verdict.expectedOutput()), null);
        }
        return new Failure(seed, compiler, verdict, saved);
    }

    /**
     * Writes {@code Fuzz<Compiler>Seed<seed>.java}, a fixture that parks always, its expected
     * output {@code .txt} and a {@code .failure.txt} with what went wrong and the original source.
     */
    private Path save(long seed, String original, Shrinker.Result shrunk) throws IOException {
        Files.createDirectories(failures);
        String name = "Fuzz" + compiler.name().charAt(0) + compiler.name().substring(1).toLowerCase().replace("_", "")
                + "Seed" + seed;
        String fixture = asFixture(shrunk.source(), className(seed), name, "seed " + seed + " compiled by "
                + compiler.description + ": " + shrunk.verdict().kind() + ", shrunk from " + lines(original) + " to "
                + lines(shrunk.source()) + " lines");
        Files.writeString(failures.resolve(name + ".java"), fixture, StandardCharsets.UTF_8);
        Files.writeString(failures.resolve(name + ".txt"), shrunk.verdict().expectedOutput(), StandardCharsets.UTF_8);
        Files.writeString(failures.resolve(name + ".failure.txt"), "seed " + seed + ", " + compiler.description
                + "\nreproduce: -Djasyncio.fuzz.seed=" + seed + " -Djasyncio.fuzz.programs=1 -Djasyncio.fuzz.compilers="
                + compiler + "\n\n--- shrunk program fails with: " + shrunk.verdict().kind() + "\n" + shrunk.verdict().detail()
                + "\n\n--- original source:\n" + original, StandardCharsets.UTF_8);
        return failures.resolve(name + ".java");
    }

    /**
     * The program as a corpus fixture named {@code name}: it parks always (the corpus runs
     * fixtures woven, without arguments), and says where it came from. Committing it is a copy
     * to {@code fixtures/} and of its {@code .txt} to {@code src/test/resources/fixtures/}, under a
     * name that says what it exercises.
     */
    static String asFixture(String source, String generatedName, String name, String origin) {
        return source.replace(generatedName, name)
                .replace("park = args.length > 0;", "park = true;")
                .replaceFirst("/\\*\\* Generated by RandomProgram from seed -?\\d+\\. \\*/",
                        "/** Found by the weaver's fuzzer (" + Matcher.quoteReplacement(origin) + "). */");
    }

    private static int lines(String source) {
        return source.split("\n", -1).length;
    }

    static String stackTrace(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        return trace.toString();
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** {@code <compiler> <firstSeed> <count>}: checks that range, printing a line per batch and the summary. */
    public static void main(String[] args) throws IOException {
        Compiler compiler = Compiler.valueOf(args[0]);
        long firstSeed = Long.parseLong(args[1]);
        long count = Long.parseLong(args[2]);
        Path work = Files.createTempDirectory("fuzz-" + compiler);
        long start = System.nanoTime();
        Report report = new Fuzzer(compiler, work, defaultFailureDir()).run(firstSeed, count,
                line -> System.out.println(Duration.ofNanos(System.nanoTime() - start).toSeconds() + "s " + line));
        deleteTree(work);
        System.out.println("DONE " + report.summary());
        System.exit(report.failures.isEmpty() ? 0 : 1);
    }
}
