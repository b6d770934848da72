package io.jasyncio.internal;

/**
 * What a runtime primitive written by hand against the woven-code ABI ({@link Coroutines})
 * does after it parked and still has work to do when it resumes: spill its state into a frame
 * and link it, exactly as a woven method does after a suspending call that parked.
 *
 * <p>Such a primitive reads like the state machine the weaver would make of it: on entry it
 * asks {@link Coroutines#resumeFrame} whether it is being resumed; if so it continues at
 * {@link Frame#state} with the value of {@link Coroutines#resumeValue}; otherwise it runs from
 * the start, and after a call that parked ({@link EventLoop#parking}) it calls {@link #spill}
 * and returns at once. Its {@link Resumer} answers {@code null} when asked to describe itself
 * with a {@code null} frame: a primitive has no source lines for async stack traces.
 */
public final class PrimitiveFrames {
    private PrimitiveFrames() {}

    /**
     * Spills {@code refs} into a frame resumed by {@code resumer} at {@code state}, and links
     * it as the caller of whatever parked below it.
     *
     * @param loop the running loop, which is parking
     * @param reuse the frame the primitive was resumed from, or {@code null} on a first call
     * @param resumer re-enters the primitive; a shared constant
     * @param state where to continue, private to the primitive
     * @param refs the values live across the suspension, usually {@code this} first
     */
    public static void spill(EventLoop loop, Frame reuse, Resumer resumer, int state, Object... refs) {
        Frame frame = Coroutines.frame(reuse, refs.length, /* prims = */ 0);
        System.arraycopy(refs, 0, frame.refs, 0, refs.length);
        frame.state = state;
        Coroutines.parked(frame, resumer, loop);
    }
}
