package io.jasyncio.internal;

/**
 * The saved state of one parked {@code @Async} method: which suspension point it parked at,
 * and the values (locals and operand-stack values) that are live across it.
 *
 * <p>A frame exists only while its method is parked or being resumed: a call that returns
 * without parking allocates none. Frames form a chain from the innermost parked method
 * ({@code Task.top}) outwards through {@link #caller}; the task's entry method has no caller.
 * Resuming a task re-enters only the innermost frame; when that method returns, the loop hands
 * its result to the caller's frame, and so on, so resuming costs the same at any depth.
 *
 * <p>References are spilled into {@link #refs}, every primitive into {@link #prims} as its raw
 * bits (an {@code int} widened, a {@code float} or {@code double} through its bit pattern).
 * The slot layout of each suspension point is decided by the weaver.
 */
public final class Frame {
    /** The suspension point the method parked at; its meaning is private to the method. */
    public int state;
    /** Spilled references; {@code null} when the method spills none. Index 0 holds {@code this} for instance methods. */
    public Object[] refs;
    /** Spilled primitives as raw bits; {@code null} when the method spills none. */
    public long[] prims;
    /** The frame of the method that called this one and is parked waiting for its result; {@code null} for the task's entry. */
    Frame caller;
    /** Re-enters the owning method. */
    Resumer resumer;

    Frame() {}

    /** For runtime primitives that park with a frame of their own. */
    Frame(Resumer resumer, Object... refs) {
        this.resumer = resumer;
        this.refs = refs;
    }
}
