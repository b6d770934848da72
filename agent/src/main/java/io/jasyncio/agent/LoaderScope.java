package io.jasyncio.agent;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent knows of one class loader's classes: whether each may have {@code @Async}
 * methods, itself or through a supertype. Filled from the bytes of every class of the loader the
 * agent sees load, and, for a class referred to before it loads, from its class file read once
 * through a {@link ClassFileReader}; so most classes are read by the agent only as they load.
 *
 * <p>"May have" is a cheap over-approximation: the class file mentions {@code @Async}. A class
 * that calls, extends or makes a lambda of such a class goes to the weaver, which knows exactly.
 * Safe to use from many threads at once: the answers are immutable and two threads that learn
 * the same class at once store the same answer.
 */
final class LoaderScope {
    /** How deep a chain of supertypes is followed: a bound against cycles in broken class files. */
    private static final int MAX_DEPTH = 64;

    /** An answer for a class whose bytes could not be read: no @Async methods, and who asked. */
    private static final class Unreadable {
        final String referrer;

        Unreadable(String referrer) {
            this.referrer = referrer;
        }
    }

    /** How many classes read before they load are kept with their scan, waiting to load. */
    private static final int MAX_PENDING = 256;

    /** A class file read before its class loaded, and its scan. */
    private static final class Pending {
        final byte[] bytes;
        final ClassFileScan scan;

        Pending(byte[] bytes, ClassFileScan scan) {
            this.bytes = bytes;
            this.scan = scan;
        }
    }

    private final ClassFileReader reader;
    /** Internal name → {@link Boolean} (may have @Async methods) or {@link Unreadable}. */
    private final ConcurrentHashMap<String, Object> known = new ConcurrentHashMap<>();
    /**
     * Classes read before they load, so that their scan is not done twice: a class is usually
     * read because the one loading before it calls it, and loads soon after. Bounded: a class
     * that never loads only takes a place.
     */
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** The loader's weaver, made when its first class with something to weave appears. */
    private volatile LoaderWeaver weaver;

    /**
     * Whether the loader sees the runtime: without it no woven class could run, so nothing is
     * woven or checked, and the first class that mentions {@code @Async} says so.
     */
    private final boolean runtimeVisible;
    private volatile boolean runtimeWarned;

    LoaderScope(ClassFileReader reader) {
        this.reader = reader;
        this.runtimeVisible = reader.read("io/jasyncio/internal/Coroutines") != null;
    }

    /**
     * The scan of a class about to load: the one made when it was read before, if the bytes
     * the JVM gives are the same, else a new one.
     */
    ClassFileScan scan(String internalName, byte[] bytes) throws ClassFileScan.MalformedClassException {
        Pending early = pending.isEmpty() ? null : pending.remove(internalName);
        if (early != null && java.util.Arrays.equals(early.bytes, bytes)) {
            return early.scan;
        }
        return ClassFileScan.of(bytes);
    }

    /**
     * Records a class as it loads and says whether the weaver must see it: it mentions
     * {@code @Async}, or it extends, calls or makes a lambda of a class that may have
     * {@code @Async} methods. Returns a warning to print when a class that could not be read
     * earlier turns out to have {@code @Async} methods, {@code null} otherwise, in {@code warning[0]}.
     */
    boolean needsWeaving(ClassFileScan scan, String[] warning) {
        if (!runtimeVisible) {
            if (scan.mentionsAsync && !runtimeWarned) {
                runtimeWarned = true;
                warning[0] = "jasyncio: warning: " + scan.name.replace('/', '.') + " has @Async methods, but its class "
                        + "loader cannot see jasyncio-runtime; nothing is woven for that loader (add the runtime to its class path)";
            }
            return false;
        }
        boolean async = scan.mentionsAsync || supertypesMayHaveAsync(scan, scan.name, 0);
        Object before = known.put(scan.name, async);
        if (async && before instanceof Unreadable) {
            warning[0] = "jasyncio: warning: " + scan.name.replace('/', '.') + " has @Async methods, but its class loader "
                    + "could not give its class file when " + ((Unreadable) before).referrer.replace('/', '.')
                    + " loaded; the calls that class makes to it were not checked for misuse";
        }
        if (async) {
            return true;
        }
        for (String reference : scan.references) {
            if (mayHaveAsync(reference, scan.name, 0)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code internalName} may have @Async methods; reads its class file if it is not known yet. */
    boolean mayHaveAsync(String internalName, String referrer, int depth) {
        if (internalName.startsWith("io/jasyncio/")) {
            return true; // the runtime: its primitives and AsyncCallable/AsyncRunnable
        }
        if (ClassFileScan.isPlatformClass(internalName) || internalName.startsWith("[")) {
            return false;
        }
        Object answer = known.get(internalName);
        if (answer == null) {
            answer = learn(internalName, referrer, depth);
        }
        return answer == Boolean.TRUE;
    }

    private Object learn(String internalName, String referrer, int depth) {
        byte[] bytes = reader.read(internalName);
        Object answer;
        if (bytes == null) {
            answer = new Unreadable(referrer);
        } else {
            try {
                ClassFileScan scan = ClassFileScan.of(bytes);
                if (pending.size() < MAX_PENDING) {
                    pending.put(internalName, new Pending(bytes, scan));
                }
                answer = scan.mentionsAsync || supertypesMayHaveAsync(scan, referrer, depth);
            } catch (ClassFileScan.MalformedClassException malformed) {
                answer = new Unreadable(referrer); // the JVM will say what is wrong with it when it loads
            }
        }
        Object raced = known.putIfAbsent(internalName, answer);
        return raced == null ? answer : raced;
    }

    private boolean supertypesMayHaveAsync(ClassFileScan scan, String referrer, int depth) {
        if (depth >= MAX_DEPTH) {
            return false;
        }
        if (scan.superName != null && mayHaveAsync(scan.superName, referrer, depth + 1)) {
            return true;
        }
        for (String itf : scan.interfaces) {
            if (mayHaveAsync(itf, referrer, depth + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The loader's weaver; made on first use, which loads the weaver and ASM. Two threads that
     * come at once may both make one; one is kept. No lock: a thread here may hold class-loading
     * locks that another one needs.
     */
    LoaderWeaver weaver() {
        LoaderWeaver current = weaver;
        if (current == null) {
            current = new LoaderWeaver(reader);
            weaver = current;
        }
        return current;
    }
}
