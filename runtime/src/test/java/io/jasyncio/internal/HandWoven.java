package io.jasyncio.internal;

import io.jasyncio.AsyncCallable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A coroutine woven by hand: what the weaver makes of a straight-line {@code @Async} method
 * whose statements are the {@linkplain #then steps}, inside one {@code try} with an optional
 * {@code catch (Throwable)} and {@code finally}. Each step may end with one suspending call (a
 * runtime primitive, or {@link #call()} of another {@code HandWoven}); its value is what the
 * next step receives. It lets the runtime be tested through the woven-code ABI without the
 * weaver, and shows what woven code must do:
 *
 * <pre>
 *   entry:   loop = enter(name); frame = resumeFrame(loop)
 *            if frame != null: index = frame.state; value = resumeValue(loop)  // may throw
 *   step:    value = steps[index](value)
 *            if loop.parking: spill {this} and index + 1 into a frame, parked(frame), return
 * </pre>
 *
 * <p>One instance is one activation: it may run in one task only, once.
 *
 * @param <T> the type of the result
 */
final class HandWoven<T> implements AsyncCallable<T> {
    /** One statement; it may end with a suspending call whose value becomes its result. */
    @FunctionalInterface
    interface Step {
        Object run(Object previous) throws Throwable;
    }

    /** A statement without a value; the previous value passes through. */
    @FunctionalInterface
    interface Action {
        void run() throws Throwable;
    }

    private static final Resumer RESUMER = frame -> ((HandWoven<?>) frame.refs[0]).call();

    private final List<Step> steps = new ArrayList<>();
    private Function<Throwable, Object> catchBlock;
    private Runnable finallyBlock;

    static <T> HandWoven<T> body() {
        return new HandWoven<>();
    }

    /** Adds a statement whose value is passed on to the next one. */
    HandWoven<T> step(Step step) {
        steps.add(step);
        return this;
    }

    /** Adds a statement that keeps the previous value. */
    HandWoven<T> then(Action action) {
        steps.add(previous -> {
            action.run();
            return previous;
        });
        return this;
    }

    /**
     * {@code while (condition) { body }}: a statement repeated while {@code condition} holds
     * (tested before each round); the body may end with a suspending call.
     */
    HandWoven<T> repeatWhile(BooleanSupplier condition, Step body) {
        steps.add(new Repeated(condition, body));
        return this;
    }

    private static final class Repeated implements Step {
        final BooleanSupplier condition;
        final Step body;

        Repeated(BooleanSupplier condition, Step body) {
            this.condition = condition;
            this.body = body;
        }

        @Override
        public Object run(Object previous) throws Throwable {
            return body.run(previous);
        }
    }

    /** {@code catch (Throwable failure) { return block(failure); }}; the block must not suspend. */
    HandWoven<T> catching(Function<Throwable, Object> block) {
        catchBlock = block;
        return this;
    }

    /** {@code finally { block(); }}; the block must not suspend. */
    HandWoven<T> finallyDo(Runnable block) {
        finallyBlock = block;
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T call() {
        EventLoop loop = Coroutines.enter("io.jasyncio.internal.HandWoven.call");
        Frame frame = Coroutines.resumeFrame(loop);
        boolean parked = false;
        Object value = null;
        try {
            int index = 0;
            if (frame != null) {
                index = frame.state;
                value = Coroutines.resumeValue(loop);
            }
            while (index < steps.size()) {
                Step step = steps.get(index);
                int next = index + 1;
                if (step instanceof Repeated) {
                    if (!((Repeated) step).condition.getAsBoolean()) {
                        index = next;
                        continue;
                    }
                    next = index;
                }
                value = step.run(value);
                if (loop.parking) {
                    Frame spill = Coroutines.frame(frame, /* refs = */ 1, /* prims = */ 0);
                    spill.refs[0] = this;
                    spill.state = next;
                    Coroutines.parked(spill, RESUMER, loop);
                    parked = true;
                    return null;
                }
                index = next;
            }
        } catch (Throwable failure) {
            if (catchBlock == null) {
                throw Coroutines.<RuntimeException>sneakyThrow(failure);
            }
            value = catchBlock.apply(failure);
        } finally {
            if (!parked && finallyBlock != null) {
                finallyBlock.run();
            }
        }
        return (T) value;
    }
}
