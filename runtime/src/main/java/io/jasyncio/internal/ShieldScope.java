package io.jasyncio.internal;

/**
 * The machinery of {@code Asyncio.shield}: a {@link CancelScope} that holds off every
 * cancellation coming from outside it (a {@code Task.cancel()} of the task, an enclosing
 * timeout or task group) while its body runs, in the calling task. Scopes inside it still
 * cancel their bodies. What was held off is delivered at the task's first suspension point
 * after the shield exits, so the body's result is returned to the caller first.
 */
public final class ShieldScope extends CancelScope {
    private final Object body;

    private ShieldScope(TaskCore task, Object body) {
        super(task, "io.jasyncio.Asyncio.shield");
        this.body = body;
    }

    /**
     * Runs {@code body} shielded, as {@code Asyncio.shield} does: a hand-woven suspending call.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @param body an {@code AsyncCallable} or {@code AsyncRunnable}
     * @return the body's result, when it did not park
     */
    public static Object shield(EventLoop loop, Object body) {
        return new ShieldScope(loop.currentTask("Asyncio.shield"), body).run(loop);
    }

    @Override
    boolean isShield() {
        return true;
    }

    @Override
    String reason() {
        return "shield"; // a shield never cancels its body
    }

    @Override
    Object callBody() throws Exception {
        return call(body);
    }

    @Override
    Object bodyEnded(EventLoop loop, Object result, Throwable thrown) {
        exit();
        deliver(task); // what an enclosing scope held back: at the next suspension point
        if (thrown != null) {
            throw Coroutines.<RuntimeException>sneakyThrow(thrown);
        }
        return result;
    }
}
