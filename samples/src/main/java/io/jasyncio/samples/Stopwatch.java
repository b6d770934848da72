package io.jasyncio.samples;

import java.util.Locale;

/**
 * Measures wall-clock time for the samples and prints it in one format, {@code elapsed: 2.00 s},
 * the line the samples' tests look for.
 */
final class Stopwatch {
    private final long start = System.nanoTime();

    private Stopwatch() {}

    /** A stopwatch running from now. */
    static Stopwatch start() {
        return new Stopwatch();
    }

    /** Prints the seconds since {@link #start()} with two decimals, whatever the default locale. */
    void printElapsed() {
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT, "elapsed: %.2f s", seconds));
    }
}
