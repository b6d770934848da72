package io.jasyncio.weaver;

import java.util.List;

/**
 * What the weaver made of one class file.
 *
 * @param className the class, with dots
 * @param bytes the class file to use: the woven one, or the input when {@link #changed()} is false
 * @param changed whether the class was rewritten
 * @param alreadyWoven whether the input carried the weaver's marker and was left alone
 * @param wovenMethods how many methods became state machines
 * @param diagnostics the misuses found, in source order; each faulty method was replaced by one
 *     that throws {@code IllegalStateException} with the diagnostic's text
 * @param warnings what the weaver could not check, one line each without a prefix: a class
 *     this one refers to whose bytes could not be read, taken to have no {@code @Async} methods
 */
public record WeaveResult(String className, byte[] bytes, boolean changed, boolean alreadyWoven,
                          int wovenMethods, List<Diagnostic> diagnostics, List<String> warnings) {

    public boolean hasErrors() {
        return !diagnostics.isEmpty();
    }
}
