package io.jasyncio.internal;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Async stack traces: an exception thrown after a resume was thrown in a method re-entered by
 * the loop, so its Java stack holds that method and the loop, not the {@code @Async} callers
 * that are parked in frames. As the loop passes the exception from a frame to its caller's, it
 * inserts the caller's place (class, method, file and line of the suspending call) into the
 * trace, right above the loop's own elements, so the trace reads as if the chain had never
 * parked.
 *
 * <p>Nothing is spent unless an exception crosses a frame: a woven method's resume bridge,
 * asked with a {@code null} frame, answers a constant describing its method and the line of
 * each suspension point, parsed once per method.
 */
final class AsyncStackTrace {
    private AsyncStackTrace() {}

    private record Site(String className, String method, String file, int[] lines) {}

    private static final Map<Resumer, Site> SITES = new IdentityHashMap<>();
    private static final Site UNKNOWN = new Site(null, null, null, new int[0]);

    /** Inserts {@code caller}'s place into {@code failure}'s trace; never throws. */
    static void addCaller(Throwable failure, Frame caller) {
        try {
            StackTraceElement element = element(caller);
            if (element == null) {
                return;
            }
            StackTraceElement[] trace = failure.getStackTrace();
            int at = trace.length;
            for (int i = 0; i < trace.length; i++) {
                if (isMachinery(trace[i])) {
                    at = i;
                    break;
                }
            }
            StackTraceElement[] longer = Arrays.copyOf(trace, trace.length + 1);
            System.arraycopy(trace, at, longer, at + 1, trace.length - at);
            longer[at] = element;
            failure.setStackTrace(longer);
        } catch (RuntimeException ignored) {
            // a trace is a diagnostic: never let it hide the failure itself
        }
    }

    /**
     * The place where {@code frame}'s method is parked: its class, method, file and the line of
     * the suspending call; null for a frame of a runtime primitive, which has no source lines.
     * Also used for {@code Task.stack()}.
     */
    static StackTraceElement element(Frame frame) {
        Resumer resumer = frame.resumer;
        Site site = resumer == null ? UNKNOWN : site(resumer);
        if (site == UNKNOWN) {
            return null;
        }
        int line = frame.state >= 0 && frame.state < site.lines.length ? site.lines[frame.state] : -1;
        return new StackTraceElement(site.className, site.method, site.file.isEmpty() ? null : site.file, line);
    }

    private static boolean isMachinery(StackTraceElement element) {
        return element.getMethodName().contains("$resume$")
                || element.getClassName().equals(EventLoop.class.getName());
    }

    private static Site site(Resumer resumer) {
        synchronized (SITES) {
            Site site = SITES.get(resumer);
            if (site == null) {
                site = describe(resumer);
                SITES.put(resumer, site);
            }
            return site;
        }
    }

    private static Site describe(Resumer resumer) {
        Object answer;
        try {
            answer = resumer.resume(null);
        } catch (Throwable notWoven) {
            return UNKNOWN;
        }
        if (!(answer instanceof String)) {
            return UNKNOWN;
        }
        String[] parts = ((String) answer).split("\t", -1);
        if (parts.length != 4) {
            return UNKNOWN;
        }
        String[] numbers = parts[3].isEmpty() ? new String[0] : parts[3].split(",");
        int[] lines = new int[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            lines[i] = Integer.parseInt(numbers[i]);
        }
        return new Site(parts[0], parts[1], parts[2], lines);
    }
}
