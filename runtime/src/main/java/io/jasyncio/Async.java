package io.jasyncio;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a coroutine: a method that may contain suspending calls, that is, calls of other
 * {@code @Async} methods. The jasyncio weaver (the {@code -javaagent} or the Maven plugin)
 * rewrites every such method into a resumable state machine; a call of it may park the
 * calling task, and the task later resumes right after the call with its locals intact.
 *
 * <p>Allowed on static and instance methods of classes and interfaces, abstract and default
 * methods included. An override must be {@code @Async} exactly when the overridden method is.
 * A {@code synchronized} method cannot be {@code @Async}, and no suspending call may be made
 * while a monitor is held.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Async {}
