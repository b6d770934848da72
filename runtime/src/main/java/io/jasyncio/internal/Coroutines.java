package io.jasyncio.internal;

/**
 * The calls woven code makes into the runtime: the woven-code ABI. Every method here is
 * emitted by the weaver; classes woven ahead of time depend on these exact names and
 * descriptors, so they change only together with {@link #ABI_VERSION}.
 *
 * <p>A woven method runs in one of two modes. Called normally, it runs from its start and
 * allocates nothing unless a callee parks. Re-entered by its {@link Resumer}, it finds its
 * frame in {@link #resumeFrame(EventLoop)}, restores its values and continues right after
 * the suspending call it parked in, taking that call's result from {@link #resumeValue(EventLoop)}.
 * After every suspending call it reads {@link EventLoop#parking}; when set, the callee
 * parked, so the method spills its live values into a frame ({@link #frame}), links it
 * ({@link #parked}) and returns at once with a dummy value.
 */
public final class Coroutines {
    /** Version of this ABI, recorded in {@link Woven#version()}. */
    public static final int ABI_VERSION = 1;

    private Coroutines() {}

    /**
     * Entry of every woven method: the loop of the calling task.
     *
     * @param method the woven method, as {@code Owner.name}, for the error message
     * @return the running loop of this thread, whose current task is the caller
     * @throws IllegalStateException when no task of a running loop is calling
     */
    public static EventLoop enter(String method) {
        EventLoop loop = EventLoop.sole;
        if (loop == null || loop.thread != Thread.currentThread()) {
            loop = EventLoop.current();
        }
        if (loop == null || loop.current == null) {
            throw new IllegalStateException(method + "() is @Async and was called outside a task: "
                    + "start it with Asyncio.run(...) or Asyncio.createTask(...)");
        }
        if (loop.parking) {
            throw new IllegalStateException(method + "() was called while task " + loop.current.name()
                    + " was parking: a method that called a parking @Async method went on running, so it "
                    + "was not woven; annotate it with @Async and run with -javaagent:jasyncio-agent.jar "
                    + "or weave it with jasyncio-maven-plugin");
        }
        return loop;
    }

    /**
     * The frame a woven method must resume from, or {@code null} when it is called normally.
     * Consumed by the first woven method that asks, which is the one its resumer re-entered.
     */
    public static Frame resumeFrame(EventLoop loop) {
        Frame frame = loop.resumeFrame;
        if (frame != null) {
            loop.resumeFrame = null;
        }
        return frame;
    }

    /**
     * The result of the suspending call a method resumes after, or throws the exception that
     * call ended with (for example the {@code CancellationException} of a cancelled task).
     */
    public static Object resumeValue(EventLoop loop) {
        Throwable failure = loop.resumeFailure;
        if (failure != null) {
            loop.resumeFailure = null;
            throw Coroutines.<RuntimeException>sneakyThrow(failure);
        }
        Object value = loop.resumeValue;
        loop.resumeValue = null;
        return value;
    }

    /**
     * A frame to spill into: {@code reuse} when the method was itself resumed (its frame is
     * already linked to its caller); otherwise the parking task's own frame slot when it is
     * free (see {@link Frame}), or a new frame. The arrays are sized for the suspension point;
     * stale references past the new size are cleared.
     */
    public static Frame frame(Frame reuse, int refs, int prims) {
        Frame frame = reuse != null ? reuse : freeSlotOrNew();
        if (refs > 0) {
            Object[] array = frame.refs;
            if (array == null || array.length < refs) {
                frame.refs = new Object[refs];
            } else {
                for (int i = refs; i < array.length; i++) {
                    array[i] = null;
                }
            }
        } else if (frame.refs != null) {
            frame.refs = null;
        }
        if (prims > 0 && (frame.prims == null || frame.prims.length < prims)) {
            frame.prims = new long[prims];
        }
        return frame;
    }

    /**
     * The current task when its frame slot is free, else a new frame. Only the loop found
     * through {@link EventLoop#sole} is asked (no thread-local lookup on this path): on a thread
     * whose loop is not that one, a new frame is simply made.
     */
    private static Frame freeSlotOrNew() {
        EventLoop loop = EventLoop.sole;
        if (loop != null && loop.thread == Thread.currentThread()) {
            TaskCore task = loop.current;
            if (task != null && task.resumer == null) {
                return task;
            }
        }
        return new Frame();
    }

    /**
     * Links a frame just spilled into the parking task's chain: it becomes the caller of the
     * frame spilled before it (the callee's), or the task's innermost frame when the callee
     * was a primitive that parked without a frame. Setting the resumer marks the task's slot
     * taken when the frame is the slot.
     */
    public static void parked(Frame frame, Resumer resumer, EventLoop loop) {
        // Each reference store costs a GC barrier: a frame re-spilled by the method it holds
        // already has its resumer, and a task re-parking its innermost frame already has it as top.
        if (frame.resumer != resumer) {
            frame.resumer = resumer;
        }
        Frame callee = loop.lastSpilled;
        if (callee == null) {
            TaskCore task = loop.current;
            if (task.top != frame) {
                task.top = frame;
            }
        } else if (callee.caller != frame) {
            callee.caller = frame;
        }
        loop.lastSpilled = frame;
    }

    /** Throws {@code failure} whatever its type, without wrapping. */
    @SuppressWarnings("unchecked")
    public static <E extends Throwable> E sneakyThrow(Throwable failure) throws E {
        throw (E) failure;
    }
}
