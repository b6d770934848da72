package io.jasyncio.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The marker the weaver puts on every class it has rewritten, so that the agent and a later
 * run of the Maven plugin leave the class alone. Not for users.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Woven {
    /** The version of the woven-code ABI ({@link Coroutines#ABI_VERSION}) the class was woven for. */
    int version();
}
