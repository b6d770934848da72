package io.jasyncio.benchmarks;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: the floor under the cost of any {@code -javaagent}. */
public final class NoopAgent {
    private NoopAgent() {}

    /**
     * Called by the JVM before {@code main}; does nothing.
     *
     * @param options the agent's options, ignored
     * @param instrumentation ignored
     */
    public static void premain(String options, Instrumentation instrumentation) {
        // Nothing: only the JVM's own cost of loading an agent jar is measured.
    }
}
