package io.jasyncio.weaver;

/**
 * A misuse found while weaving: what is wrong, where, and how to fix it.
 *
 * @param className the class, with dots ({@code com.example.Foo})
 * @param methodName the method's name
 * @param methodDescriptor the method's descriptor
 * @param sourceFile the source file as the class file names it, or {@code null}
 * @param line the source line, or -1 when the class has no line numbers
 * @param message what is wrong
 * @param fix how to fix it
 */
public record Diagnostic(String className, String methodName, String methodDescriptor,
                         String sourceFile, int line, String message, String fix) {

    /** {@code com.example.Foo.bar(Foo.java:12)}, as a stack trace names a place. */
    public String location() {
        String file = sourceFile == null ? "Unknown Source" : line > 0 ? sourceFile + ":" + line : sourceFile;
        return className + "." + methodName + "(" + file + ")";
    }

    /** The whole report on one line: {@code location: message — fix}. */
    public String format() {
        return location() + ": " + message + " — " + fix;
    }

    @Override
    public String toString() {
        return format();
    }
}
