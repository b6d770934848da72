package io.jasyncio.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a fixture class through a JUnit launcher, in this JVM, and keeps what happened to each
 * test. The fixtures are nested classes of the tests: the build's own test run skips nested
 * classes (surefire's default excludes), so fixtures meant to fail run only from here.
 */
final class FixtureRun {
    /** Each test's outcome by name, in the order they ended; see {@link #nameOf}. */
    final Map<String, String> outcomes = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Each failed test's failure by name. */
    final Map<String, Throwable> failures = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Started, finished and skipped events, in order, by name. */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private FixtureRun() {}

    /**
     * Runs every test of {@code fixture}.
     *
     * @param fixture the class
     * @return the outcomes: "passed", "failed: " and the failure's {@code toString()},
     *     "aborted: " and the same, or "skipped: " and the reason
     */
    static FixtureRun of(Class<?> fixture) {
        return of(fixture, Map.of());
    }

    /**
     * Runs every test of {@code fixture} with JUnit configuration parameters.
     *
     * @param fixture the class
     * @param configuration parameters, as {@code junit-platform.properties} would give them
     * @return the outcomes, as {@link #of(Class)}
     */
    static FixtureRun of(Class<?> fixture, Map<String, String> configuration) {
        FixtureRun run = new FixtureRun();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
                .configurationParameters(configuration).build();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            private TestPlan plan;

            @Override
            public void testPlanExecutionStarted(TestPlan testPlan) {
                plan = testPlan;
            }

            @Override
            public void executionStarted(TestIdentifier test) {
                if (test.isTest()) {
                    run.events.add("started " + nameOf(plan, test));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                if (test.isTest()) {
                    run.events.add("skipped " + nameOf(plan, test));
                    run.outcomes.put(nameOf(plan, test), "skipped: " + reason);
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    String name = nameOf(plan, test);
                    run.events.add("finished " + name);
                    String failure = result.getThrowable().map(Throwable::toString).orElse("?");
                    run.outcomes.put(name, switch (result.getStatus()) {
                        case SUCCESSFUL -> "passed";
                        case ABORTED -> "aborted: " + failure;
                        case FAILED -> "failed: " + failure;
                    });
                    result.getThrowable().ifPresent(thrown -> run.failures.put(name, thrown));
                }
            }
        });
        return run;
    }

    /**
     * A test's name: its method's name, then, for an invocation of a template named otherwise
     * (as {@code seed 7}), a space and that name.
     */
    private static String nameOf(TestPlan plan, TestIdentifier test) {
        String name = test.getDisplayName();
        String method = plan.getParent(test).map(TestIdentifier::getDisplayName).filter(parent -> parent.endsWith(")"))
                .orElse(name);
        method = method.substring(0, method.indexOf('(') < 0 ? method.length() : method.indexOf('('));
        String own = name.substring(0, name.indexOf('(') < 0 ? name.length() : name.indexOf('('));
        return own.equals(method) ? method : method + " " + name;
    }
}
