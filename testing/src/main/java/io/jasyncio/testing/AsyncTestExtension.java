package io.jasyncio.testing;

import io.jasyncio.Async;
import io.jasyncio.AsyncRunnable;
import io.jasyncio.internal.Coroutines;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit 5 extension behind {@link AsyncTest}, which is a test template: as its
 * {@link TestTemplateInvocationContextProvider} the extension makes one invocation per schedule
 * (seed), and as its {@link InvocationInterceptor} it skips JUnit's own call of each and runs
 * the method (with the arguments JUnit resolved) as the main task of a fresh loop
 * ({@link AsyncTestRunner#runSchedule}).
 *
 * <h2>One invocation per schedule</h2>
 * Each invocation is a test of its own, named {@code seed N} (a single unseeded run keeps the
 * method's name), so JUnit's per-method lifecycle gives each schedule a fresh test instance and
 * its own {@code @BeforeEach} and {@code @AfterEach}. Each invocation registers a
 * {@link ScheduleSeed} extension: it puts itself in the invocation's store before the test
 * ({@link BeforeEachCallback}), where the interceptor finds its seed; it records a failure in
 * the {@link Search} that all schedules of one method share ({@link TestWatcher}); and it
 * disables an invocation whose search has already failed ({@link ExecutionCondition}).
 *
 * <h2>Stopping at the first failing seed</h2>
 * JUnit asks for the invocations one at a time and runs each before asking for the next (on
 * its same-thread executor; {@code AsyncTestExtensionTest} checks that), so once a seed has
 * failed the provider makes no more of them but one, named {@code seeds N to M}, which its
 * condition reports skipped with the failed seed as the reason. Under a concurrent executor,
 * which may ask ahead, the invocations already made are skipped one by one by the same
 * condition; with conditions deactivated, the interceptor aborts them instead.
 *
 * <h2>Entering a woven method from the loop</h2>
 * The method is called reflectively from {@link TestMethodBody}, a body the loop runs as the
 * main task. That call is the body's last act: when the test method parks, its woven code
 * spills its frame as the task's innermost frame and returns, and the body returns right after
 * with the loop's {@code parking} flag still set, so the loop parks the task. From then on the
 * loop's driver resumes the method's frame directly and ends the task with what it returns or
 * throws, as it does for any chain of woven frames; the body never runs again. Only a failure
 * thrown before the first park comes through {@code Method.invoke}, wrapped, and is unwrapped.
 *
 * <p>Rejected: running every schedule inside one JUnit test (the old way), which shared one test
 * instance between the seeds and ran {@code @BeforeEach} once for all of them; and making all
 * invocations up front and skipping those after a failure, which reports hundreds of skipped
 * tests for a search of a thousand seeds.
 */
public final class AsyncTestExtension implements TestTemplateInvocationContextProvider, InvocationInterceptor {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AsyncTestExtension.class);

    /** Made by JUnit through {@link org.junit.jupiter.api.extension.ExtendWith}. */
    public AsyncTestExtension() {}

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(method -> AnnotationSupport.isAnnotated(method, AsyncTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        AsyncTest test = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), AsyncTest.class).orElseThrow();
        AsyncTestRunner.Settings settings = AsyncTestRunner.Settings.of(test);
        String unseededName = context.getDisplayName();
        Search search = new Search();
        Spliterator<TestTemplateInvocationContext> invocations = new Spliterators.AbstractSpliterator<>(
                settings.schedules(), Spliterator.ORDERED) {
            private int next;

            @Override
            public boolean tryAdvance(Consumer<? super TestTemplateInvocationContext> action) {
                if (next == settings.schedules()) {
                    return false;
                }
                long seed = settings.seed() + next;
                String name;
                if (search.failedSeed != null) {
                    long last = settings.seed() + settings.schedules() - 1;
                    next = settings.schedules();
                    name = seed == last ? "seed " + seed : "seeds " + seed + " to " + last; // skipped (ScheduleSeed)
                } else {
                    next++;
                    name = settings.seeded() ? "seed " + seed : unseededName;
                }
                action.accept(new ScheduleInvocation(name, new ScheduleSeed(settings, seed, search)));
                return true;
            }
        };
        return StreamSupport.stream(invocations, /* parallel = */ false);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        ScheduleSeed schedule = extensionContext.getStore(NAMESPACE).get(ScheduleSeed.class, ScheduleSeed.class);
        if (schedule == null) {
            invocation.proceed(); // an invocation some other provider made: not ours to run
            return;
        }
        invocation.skip();
        String notRun = schedule.search.notRun();
        if (notRun != null) {
            throw new TestAbortedException(notRun); // when conditions are deactivated (junit.jupiter.conditions.deactivate)
        }
        Method method = invocationContext.getExecutable();
        if (!method.isAnnotationPresent(Async.class)) {
            throw new ExtensionConfigurationException("@AsyncTest method " + method + " must also be annotated @Async, "
                    + "so that the weaver turns it into a state machine");
        }
        Object target = invocationContext.getTarget().orElse(null);
        Throwable failure = AsyncTestRunner.runSchedule(schedule.settings, schedule.seed,
                new TestMethodBody(method, target, invocationContext.getArguments()));
        if (failure != null) {
            throw failure;
        }
    }

    /** The schedules of one run of one {@code @AsyncTest} method; shared by its invocations. */
    private static final class Search {
        /** The first seed that failed; null while none did. */
        volatile Long failedSeed;

        synchronized void failed(long seed) {
            if (failedSeed == null) {
                failedSeed = seed;
            }
        }

        /** Why the seeds after a failure do not run; null while none failed. */
        String notRun() {
            Long seed = failedSeed;
            return seed == null ? null
                    : "not run: seed " + seed + " failed (replay it with @AsyncTest(seed = " + seed + "))";
        }
    }

    /**
     * The extension one invocation registers: its seed, found by the interceptor in the
     * invocation's store; see the class comment.
     */
    private static final class ScheduleSeed implements BeforeEachCallback, ExecutionCondition, TestWatcher {
        final AsyncTestRunner.Settings settings;
        final long seed;
        final Search search;

        ScheduleSeed(AsyncTestRunner.Settings settings, long seed, Search search) {
            this.settings = settings;
            this.seed = seed;
            this.search = search;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String notRun = search.notRun();
            return notRun == null ? ConditionEvaluationResult.enabled("no earlier seed failed")
                    : ConditionEvaluationResult.disabled(notRun);
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            context.getStore(NAMESPACE).put(ScheduleSeed.class, this);
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            search.failed(seed);
        }
    }

    /** One schedule's invocation: its name and its {@link ScheduleSeed}. */
    private static final class ScheduleInvocation implements TestTemplateInvocationContext {
        private final String name;
        private final ScheduleSeed schedule;

        ScheduleInvocation(String name, ScheduleSeed schedule) {
            this.name = name;
            this.schedule = schedule;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return name;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(schedule);
        }
    }

    /** Calls the test method as the body of the main task; see the class comment. */
    static final class TestMethodBody implements AsyncRunnable {
        private final Method method;
        private final Object target;
        private final Object[] arguments;

        TestMethodBody(Method method, Object target, List<Object> arguments) {
            this.method = method;
            this.target = target;
            this.arguments = arguments.toArray();
            method.setAccessible(true);
        }

        /**
         * Woven like any {@code @Async} body, but {@code Method.invoke} is no suspension point to
         * the weaver: the parking of the test method passes straight through (class comment).
         */
        @Override
        @Async
        public void run() {
            try {
                method.invoke(target, arguments);
            } catch (InvocationTargetException e) {
                throw Coroutines.<RuntimeException>sneakyThrow(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot call test method " + method, e);
            }
        }
    }
}
