package io.jasyncio.agent;

import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry: installs a {@link WeavingTransformer} so that every
 * {@code @Async} method is rewritten into a resumable state machine as its class loads.
 *
 * <p>Usage: {@code java -javaagent:jasyncio-agent.jar[=options] ...}, where options is a
 * comma-separated list of:
 * <ul>
 *   <li>{@code verbose}: print one line to standard error for each class woven.</li>
 * </ul>
 * Misuse of {@code @Async} is printed to standard error as {@code jasyncio: <diagnostic>}; the
 * class still loads, and calling a faulty method throws {@code IllegalStateException}.
 */
public final class JasyncioAgent {
    private JasyncioAgent() {}

    /**
     * Called by the JVM before {@code main} when started with {@code -javaagent}.
     *
     * @param options the text after {@code =} in the {@code -javaagent} option, or {@code null}
     * @param instrumentation the JVM's instrumentation service
     */
    public static void premain(String options, Instrumentation instrumentation) {
        install(options, instrumentation);
    }

    /**
     * Called when the agent is attached to a running JVM. Only classes loaded from then on are
     * woven: the classes already loaded stay as they are.
     *
     * @param options the agent's options, or {@code null}
     * @param instrumentation the JVM's instrumentation service
     */
    public static void agentmain(String options, Instrumentation instrumentation) {
        install(options, instrumentation);
    }

    private static void install(String options, Instrumentation instrumentation) {
        boolean verbose = false;
        for (String option : options == null ? new String[0] : options.split(",")) {
            String name = option.trim();
            if (name.equals("verbose")) {
                verbose = true;
            } else if (!name.isEmpty()) {
                System.err.println("jasyncio: unknown agent option '" + name + "' ignored (known: verbose)");
            }
        }
        instrumentation.addTransformer(new WeavingTransformer(verbose), /* canRetransform = */ false);
    }
}
