package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.weaver.Diagnostic;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Misuse of {@code @Async}, one program per kind in {@code io.jasyncio.weaver.fixtures.misuse}.
 * The weaver must report each with the class, method, source file and line (the line marked
 * {@code // MISUSE} in the fixture's source) and words that say what is wrong; and the class
 * must still load, pass {@code CheckClassAdapter}, and throw {@code IllegalStateException}
 * with exactly the diagnostic's text when the faulty method runs (each fixture's {@code main}
 * calls it, through {@code Asyncio.run} when it is {@code @Async}).
 */
class MisuseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * What to expect of one misuse fixture.
     *
     * @param fixture the fixture's simple name
     * @param faultyClass the simple binary name of the class holding the faulty method, such as
     *     {@code Fixture$Sub}
     * @param method what the reported method name must contain: the method, or for a lambda the
     *     method whose body holds it (javac names lambda bodies {@code lambda$enclosing$N})
     * @param words what the message and fix must say, each one of several spellings (any case)
     */
    record Expectation(String fixture, String faultyClass, String method, List<Set<String>> words) {
        Expectation(String fixture, String method, List<Set<String>> words) {
            this(fixture, fixture, method, words);
        }
    }

    private static final Set<String> ASYNC = Set.of("@async");
    private static final Set<String> SLEEP = Set.of("sleep");
    private static final Set<String> MONITOR = Set.of("synchronized", "monitor");
    private static final Set<String> OVERRIDE = Set.of("overrid", "implement");

    static final List<Expectation> EXPECTATIONS = List.of(
            new Expectation("SuspendInPlainMethod", "notAsync", List.of(ASYNC, SLEEP)),
            new Expectation("SuspendInPlainInstanceMethod", "SuspendInPlainInstanceMethod$Service", "fetchAll",
                    List.of(ASYNC, Set.of("fetch"))),
            new Expectation("SuspendInRunnableLambda", "main", List.of(ASYNC, SLEEP)),
            new Expectation("SuspendInForEachLambda", "main", List.of(ASYNC, Set.of("fetch"))),
            new Expectation("SuspendInSynchronizedBlock", "guarded", List.of(MONITOR, SLEEP)),
            new Expectation("SynchronizedAsyncMethod", "SynchronizedAsyncMethod$Counter", "increment",
                    List.of(MONITOR, ASYNC)),
            new Expectation("AsyncOverridesPlain", "AsyncOverridesPlain$Fast", "work",
                    List.of(ASYNC, OVERRIDE, Set.of("Base"))),
            new Expectation("AsyncImplementsPlainInterface", "AsyncImplementsPlainInterface$Job", "run",
                    List.of(ASYNC, OVERRIDE, Set.of("Runnable"))),
            new Expectation("PlainOverridesAsync", "PlainOverridesAsync$Blocking", "load",
                    List.of(ASYNC, OVERRIDE, Set.of("Source"))),
            new Expectation("SuspendInConstructor", "SuspendInConstructor$Connection", "<init>",
                    List.of(SLEEP, Set.of("constructor"))),
            new Expectation("SuspendInStaticInitializer", "SuspendInStaticInitializer$Config", "<clinit>",
                    List.of(SLEEP, Set.of("static initializer"))),
            new Expectation("AsyncMethodReferenceAsRunnable", "main", List.of(ASYNC, Set.of("Runnable"))),
            new Expectation("PlainImplementsAsyncCallable", "PlainImplementsAsyncCallable$Greeting", "call",
                    List.of(ASYNC, OVERRIDE, Set.of("AsyncCallable"))),
            new Expectation("AsyncImplementsGenericInterface", "AsyncImplementsGenericInterface$Loader", "get",
                    List.of(ASYNC, OVERRIDE, Set.of("Supplier"))),
            new Expectation("TooLargeOnceWoven", "huge", List.of(Set.of("too large"), Set.of("65535", "64"))));

    /**
     * The exact text a user reads after the location, {@code message — fix}: errors are part of
     * the product. {@code N} stands for the code size of a method too large once woven.
     */
    static final Map<String, String> TEXTS = Map.ofEntries(
            Map.entry("SuspendInPlainMethod",
                    "suspending call to io.jasyncio.Asyncio.sleep() in a method that is not @Async — annotate notAsync() with @Async and call it from a task started with Asyncio.run or Asyncio.createTask"),
            Map.entry("SuspendInPlainInstanceMethod",
                    "suspending call to io.jasyncio.weaver.fixtures.misuse.SuspendInPlainInstanceMethod$Service.fetch() in a method that is not @Async — annotate fetchAll() with @Async and call it from a task started with Asyncio.run or Asyncio.createTask"),
            Map.entry("SuspendInRunnableLambda",
                    "suspending call to io.jasyncio.Asyncio.sleep() in a lambda for java.lang.Runnable, whose method run() is not @Async — pass an @Async functional interface such as AsyncCallable or AsyncRunnable, run with Asyncio.run or Asyncio.createTask, or make the calls in a loop of the @Async method"),
            Map.entry("SuspendInForEachLambda",
                    "suspending call to io.jasyncio.weaver.fixtures.misuse.SuspendInForEachLambda.fetch() in a lambda for java.util.function.Consumer, whose method accept() is not @Async — pass an @Async functional interface such as AsyncCallable or AsyncRunnable, run with Asyncio.run or Asyncio.createTask, or make the calls in a loop of the @Async method"),
            Map.entry("SuspendInSynchronizedBlock",
                    "suspending call to io.jasyncio.Asyncio.sleep() while a monitor is held (inside synchronized) — make the call outside the synchronized block; guard state shared across suspensions with io.jasyncio.sync.Lock"),
            Map.entry("SynchronizedAsyncMethod",
                    "@Async method is synchronized — remove synchronized; guard state shared across suspensions with io.jasyncio.sync.Lock"),
            Map.entry("AsyncOverridesPlain",
                    "@Async method overrides io.jasyncio.weaver.fixtures.misuse.AsyncOverridesPlain$Base.work(), which is not @Async — make io.jasyncio.weaver.fixtures.misuse.AsyncOverridesPlain$Base.work() @Async too, or remove @Async here"),
            Map.entry("AsyncImplementsPlainInterface",
                    "@Async method overrides java.lang.Runnable.run(), which is not @Async — make java.lang.Runnable.run() @Async too, or remove @Async here"),
            Map.entry("PlainOverridesAsync",
                    "method overrides @Async method io.jasyncio.weaver.fixtures.misuse.PlainOverridesAsync$Source.load() but is not @Async — annotate load() with @Async"),
            Map.entry("SuspendInConstructor",
                    "suspending call to io.jasyncio.Asyncio.sleep() in a constructor — move the call into an @Async method; constructors cannot suspend"),
            Map.entry("SuspendInStaticInitializer",
                    "suspending call to io.jasyncio.Asyncio.sleep() in a static initializer — move the call into an @Async method; static initializers cannot suspend"),
            Map.entry("PlainImplementsAsyncCallable",
                    "method overrides @Async method io.jasyncio.AsyncCallable.call() but is not @Async — annotate call() with @Async"),
            Map.entry("AsyncImplementsGenericInterface",
                    "@Async method overrides java.util.function.Supplier.get(), which is not @Async — make java.util.function.Supplier.get() @Async too, or remove @Async here"),
            Map.entry("TooLargeOnceWoven",
                    "the method is too large once woven (N bytes of code; the JVM's limit is 65535) — split it into smaller @Async methods"),
            Map.entry("AsyncMethodReferenceAsRunnable",
                    "method reference to @Async method io.jasyncio.weaver.fixtures.misuse.AsyncMethodReferenceAsRunnable.work() for java.lang.Runnable, whose method run() is not @Async — use an @Async functional interface such as AsyncCallable or AsyncRunnable, run with Asyncio.run or Asyncio.createTask, or call it in a lambda of an @Async method"));

    /** Misuse fixtures with several reports, checked by their own tests. */
    static final Set<String> SEVERAL = Set.of("MisusesInSourceOrder");

    @Test
    void diagnostics_ofOneClass_comeInSourceOrder() {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.MISUSE + ".MisusesInSourceOrder");
        List<Integer> lines = WovenProgram.weave(program).diagnostics().stream()
                .map(Diagnostic::line).collect(Collectors.toList());
        List<Integer> marked = List.of(SourceMarker.line(program.sourceFile(), "// MISUSE 1"),
                SourceMarker.line(program.sourceFile(), "// MISUSE 2"), SourceMarker.line(program.sourceFile(), "// MISUSE 3"));
        assertEquals(marked, lines);
    }

    @Test
    void expectations_coverEveryMisuseFixture() {
        Set<String> fixtures = FixtureProgram.findAll(FixtureProgram.MISUSE).stream()
                .map(FixtureProgram::simpleName).filter(name -> !SEVERAL.contains(name)).collect(Collectors.toSet());
        Set<String> expected = EXPECTATIONS.stream().map(Expectation::fixture).collect(Collectors.toSet());
        assertEquals(expected, fixtures, "every misuse fixture needs an expectation, and every expectation a fixture");
    }

    @TestFactory
    Stream<DynamicContainer> eachMisuse_isReportedAndThrowsWhenCalled() {
        return EXPECTATIONS.stream().map(expectation -> {
            FixtureProgram program = FixtureProgram.load(FixtureProgram.MISUSE + "." + expectation.fixture());
            Lazy<WovenProgram> woven = Lazy.of(() -> WovenProgram.weave(program));
            return DynamicContainer.dynamicContainer(expectation.fixture(), Stream.of(
                    DynamicTest.dynamicTest("isReported", () -> isReported(expectation, woven.get())),
                    DynamicTest.dynamicTest("saysExactly", () -> saysExactly(expectation, woven.get())),
                    DynamicTest.dynamicTest("loadsAndVerifies", () -> loadsAndVerifies(woven.get())),
                    DynamicTest.dynamicTest("throwsWhenCalled", () -> throwsWhenCalled(woven.get()))));
        });
    }

    private static void isReported(Expectation expectation, WovenProgram woven) {
        FixtureProgram program = woven.program();
        List<Diagnostic> diagnostics = woven.diagnostics();
        assertEquals(1, diagnostics.size(), () -> "expected one diagnostic for " + program + ", got:\n"
                + diagnostics.stream().map(Diagnostic::format).collect(Collectors.joining("\n")));
        Diagnostic diagnostic = diagnostics.get(0);
        String where = diagnostic.format();
        int line = SourceMarker.line(program.sourceFile(), "// MISUSE");
        String faultyClass = FixtureProgram.MISUSE + "." + expectation.faultyClass();
        assertEquals(faultyClass, diagnostic.className(), () -> "className of " + where);
        assertTrue(diagnostic.methodName().contains(expectation.method()),
                () -> "methodName of " + where + " should name " + expectation.method());
        assertNotNull(diagnostic.methodDescriptor(), () -> "methodDescriptor of " + where);
        assertEquals(program.simpleName() + ".java", diagnostic.sourceFile(), () -> "sourceFile of " + where);
        assertEquals(line, diagnostic.line(), () -> "line of " + where + " (the line marked // MISUSE)");
        assertTrue(woven.results().get(faultyClass).diagnostics().contains(diagnostic),
                () -> "the diagnostic should come with the result of " + faultyClass);
        String text = (diagnostic.message() + " " + diagnostic.fix()).toLowerCase(Locale.ROOT);
        for (Set<String> spellings : expectation.words()) {
            assertTrue(spellings.stream().anyMatch(word -> text.contains(word.toLowerCase(Locale.ROOT))),
                    () -> where + "\nshould say one of " + spellings);
        }
        assertTrue(!diagnostic.fix().isBlank(), () -> where + "\nshould say how to fix it");
        String location = faultyClass + "." + diagnostic.methodName() + "(" + program.simpleName() + ".java:" + line + "): ";
        assertTrue(where.startsWith(location), () -> "format() should start with " + location + "\nbut is " + where);
    }

    private static void saysExactly(Expectation expectation, WovenProgram woven) {
        String expected = TEXTS.get(expectation.fixture());
        assertTrue(expected != null, () -> "no exact text for " + expectation.fixture() + " in TEXTS");
        List<Diagnostic> diagnostics = woven.diagnostics();
        assertEquals(1, diagnostics.size(), "expected one diagnostic");
        Diagnostic diagnostic = diagnostics.get(0);
        // The size of a method too large once woven depends on the weaver's output: N stands for it.
        String actual = (diagnostic.message() + " — " + diagnostic.fix()).replaceFirst("\\(\\d+ bytes of code", "(N bytes of code");
        assertEquals(expected, actual);
    }

    private static void loadsAndVerifies(WovenProgram woven) throws ClassNotFoundException {
        FixtureClassLoader loader = woven.newClassLoader();
        String problems = woven.verify(loader);
        if (!problems.isEmpty()) {
            fail("CheckClassAdapter rejects the woven classes of " + woven.program() + ":\n" + problems);
        }
        for (String name : woven.results().keySet()) {
            try {
                Class.forName(name, true, loader);
            } catch (ExceptionInInitializerError e) {
                // Only a faulty static initializer may fail, and only with its diagnostic.
                assertInstanceOf(IllegalStateException.class, e.getCause(), name + " failed to initialize");
                assertEquals(woven.diagnostics().get(0).format(), e.getCause().getMessage());
            }
        }
    }

    private static void throwsWhenCalled(WovenProgram woven) {
        List<Diagnostic> diagnostics = woven.diagnostics();
        assertEquals(1, diagnostics.size(), "expected one diagnostic");
        ProgramRun run = ProgramRun.run(woven.newClassLoader(), woven.program().className(), TIMEOUT);
        Throwable failure = run.failure();
        if (failure instanceof ExceptionInInitializerError && failure.getCause() != null) {
            failure = failure.getCause(); // a faulty static initializer
        }
        Throwable thrown = failure;
        assertInstanceOf(IllegalStateException.class, thrown,
                () -> "main should throw IllegalStateException from the faulty method\n" + run.describeProblems());
        assertEquals(diagnostics.get(0).format(), thrown.getMessage(), "the exception should carry the diagnostic");
        assertEquals("", run.stdout(), "the faulty method should throw before anything else happens");
    }
}
