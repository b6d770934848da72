package io.jasyncio.agent;

import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One class loader's {@link Weaver}, which caches what it read of the loader's classes. The only
 * class of the agent that names the weaver: it loads (and with it ASM) when the first class with
 * something to weave appears, not before.
 *
 * <p>The weaver is never waited for: a class that arrives while another thread is weaving is
 * woven by a fresh weaver, so that the agent cannot deadlock with class loading. Rejected: one
 * weaver for every loader (it would mix up classes of the same name) and a fresh weaver for every
 * class (it re-reads the same classes each time).
 */
final class LoaderWeaver {
    private final ClassFileReader reader;
    private final Weaver shared;
    private final ReentrantLock busy = new ReentrantLock();

    LoaderWeaver(ClassFileReader reader) {
        this.reader = reader;
        this.shared = new Weaver(reader::read);
    }

    /**
     * Weaves a class and prints what the weaver said: its warnings, each misuse, and with
     * {@code verbose} one line for the class. Returns the woven class file, or {@code null} when
     * the class is left as it is.
     */
    byte[] weave(String className, byte[] classBytes, boolean verbose) {
        WeaveResult result = weave(classBytes);
        for (String warning : result.warnings()) {
            System.err.println("jasyncio: warning: " + warning);
        }
        for (Diagnostic diagnostic : result.diagnostics()) {
            System.err.println("jasyncio: " + diagnostic.format());
        }
        if (!result.changed()) {
            return null;
        }
        if (verbose) {
            System.err.println("jasyncio: wove " + className.replace('/', '.') + " ("
                    + result.wovenMethods() + " @Async method" + (result.wovenMethods() == 1 ? "" : "s") + ")");
        }
        return result.bytes();
    }

    private WeaveResult weave(byte[] classBytes) {
        if (!busy.isHeldByCurrentThread() && busy.tryLock()) {
            try {
                return shared.weave(classBytes);
            } finally {
                busy.unlock();
            }
        }
        return new Weaver(reader::read).weave(classBytes);
    }
}
