package io.jasyncio.testing;

import io.jasyncio.Async;
import io.jasyncio.AsyncRunnable;
import io.jasyncio.internal.Coroutines;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * The JUnit 5 extension behind {@link AsyncTest}: it intercepts the test method's invocation,
 * skips JUnit's own call, and runs the method (with the arguments JUnit resolved) as the main
 * task of a fresh loop for each schedule ({@link AsyncTestRunner}).
 *
 * <h2>Entering a woven method from the loop</h2>
 * The method is called reflectively from {@link TestMethodBody}, a body the loop runs as the
 * main task. That call is the body's last act: when the test method parks, its woven code
 * spills its frame as the task's innermost frame and returns, and the body returns right after
 * with the loop's {@code parking} flag still set, so the loop parks the task. From then on the
 * loop's driver resumes the method's frame directly and ends the task with what it returns or
 * throws, as it does for any chain of woven frames; the body never runs again. Only a failure
 * thrown before the first park comes through {@code Method.invoke}, wrapped, and is unwrapped.
 */
public final class AsyncTestExtension implements InvocationInterceptor {
    /** Made by JUnit through {@link org.junit.jupiter.api.extension.ExtendWith}. */
    public AsyncTestExtension() {}

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        Method method = invocationContext.getExecutable();
        AsyncTest test = method.getAnnotation(AsyncTest.class);
        if (test == null) {
            invocation.proceed(); // extended some other way: not ours to run
            return;
        }
        if (!method.isAnnotationPresent(Async.class)) {
            invocation.skip();
            throw new ExtensionConfigurationException("@AsyncTest method " + method + " must also be annotated @Async, "
                    + "so that the weaver turns it into a state machine");
        }
        invocation.skip();
        Object target = invocationContext.getTarget().orElse(null);
        AsyncTestRunner.run(AsyncTestRunner.Settings.of(test),
                new TestMethodBody(method, target, invocationContext.getArguments()));
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
