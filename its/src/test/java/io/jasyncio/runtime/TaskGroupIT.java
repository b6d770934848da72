package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code Asyncio.taskGroup} with woven code, in virtual time: the scope waits for every child;
 * the first failure cancels the body and the other children (whose finally blocks run) and is
 * thrown with the later ones suppressed; an external cancel or a timeout cancels the children;
 * nested groups; children that create children; createTask after the end.
 */
class TaskGroupIT extends AsyncTestBase {
    private final List<String> log = new ArrayList<>();

    @Async
    String after(long millis, String result) {
        Asyncio.sleep(millis);
        log.add(result + " at " + clock.elapsedMillis());
        return result;
    }

    @Async
    String failAfter(long millis, String message) {
        Asyncio.sleep(millis);
        throw new IllegalStateException(message);
    }

    /** Sleeps an hour; when cancelled, cleans up for 5 ms (its finally block) and logs it. */
    @Async
    String sleepAnHour(String name) {
        try {
            Asyncio.sleep(Duration.ofHours(1));
            return name;
        } finally {
            Asyncio.sleep(5);
            log.add(name + " cleaned up at " + clock.elapsedMillis());
        }
    }

    @Test
    void taskGroup_endsWhenTheBodyAndEveryChildHaveEnded() {
        List<Task<String>> children = new ArrayList<>();
        String result = runInVirtualTime(() -> Asyncio.taskGroup(group -> {
            children.add(group.createTask(() -> after(30, "slow")));
            children.add(group.createTask("fast", () -> after(10, "fast")));
            Asyncio.sleep(5);
            return "body";
        }));
        assertEquals("body", result);
        assertEquals(30, clock.elapsedMillis());
        assertEquals(List.of("fast at 10", "slow at 30"), log);
        assertEquals("slow", children.get(0).result());
        assertEquals("fast", children.get(1).name());
        finish(1);
    }

    @Test
    void taskGroup_noChildren_returnsTheBodysResultAtOnce() {
        int result = runInVirtualTime(() -> Asyncio.taskGroup(group -> 42));
        assertEquals(42, result);
        finish(1);
    }

    @Test
    void childFails_firstFailureIsThrownAfterTheOthersEnded_laterOnesSuppressed() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    group.createTask(() -> failAfter(10, "first"));
                    group.createTask(() -> sleepAnHour("sibling"));
                    group.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofHours(1));
                        } finally {
                            Asyncio.sleep(2);
                            throw new IllegalStateException("second, in a clean-up");
                        }
                    });
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancellationException bodyCancelled) {
                        log.add("body cancelled at " + clock.elapsedMillis());
                        throw bodyCancelled;
                    }
                    return null;
                });
                expectUnreached();
            } catch (IllegalStateException failure) {
                expect(1);
                assertEquals("first", failure.getMessage());
                assertEquals(1, failure.getSuppressed().length, "cancellations are not failures");
                assertEquals("second, in a clean-up", failure.getSuppressed()[0].getMessage());
            }
            return null;
        });
        assertEquals(List.of("body cancelled at 10", "sibling cleaned up at 15"), log);
        assertEquals(15, clock.elapsedMillis(), "thrown only once every child had ended");
        finish(2);
    }

    @Test
    void bodyFails_childrenAreCancelledAndTheBodysFailureIsThrown() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    group.createTask(() -> sleepAnHour("child"));
                    Asyncio.sleep(10);
                    throw new IOException("body failed");
                });
                expectUnreached();
            } catch (Exception failure) {
                expect(1);
                assertInstanceOf(IOException.class, failure, "the body's own failure, as it is");
            }
            return null;
        });
        assertEquals(List.of("child cleaned up at 15"), log);
        finish(2);
    }

    @Test
    void childFailsWithACheckedException_reportedAsAwaitReportsIt() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    group.createTask(() -> {
                        Asyncio.sleep(1);
                        throw new IOException("checked");
                    });
                    return null;
                });
                expectUnreached();
            } catch (CompletionException failure) {
                expect(1);
                assertInstanceOf(IOException.class, failure.getCause());
            }
            return null;
        });
        finish(2);
    }

    @Test
    void childFails_whileTheBodyWaitsInJoin_othersCancelled() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    group.createTask(() -> sleepAnHour("a"));
                    group.createTask(() -> failAfter(20, "b failed"));
                    group.createTask(() -> sleepAnHour("c"));
                    return "body ended at once";
                });
                expectUnreached();
            } catch (IllegalStateException failure) {
                assertEquals("b failed", failure.getMessage());
                assertEquals(0, failure.getSuppressed().length);
            }
            return null;
        });
        assertEquals(List.of("a cleaned up at 25", "c cleaned up at 25"), log);
        finish(1);
    }

    @Test
    void cancel_ofTheTaskRunningTheGroup_cancelsEveryChildAndEndsCancelledAfterThem() {
        runInVirtualTime(() -> {
            Task<Object> owner = Asyncio.createTask(() -> Asyncio.taskGroup(group -> {
                group.createTask(() -> sleepAnHour("a"));
                group.createTask(() -> sleepAnHour("b"));
                return sleepAnHour("body");
            }));
            Asyncio.sleep(10);
            assertTrue(owner.cancel());
            try {
                owner.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            assertTrue(owner.isCancelled());
            assertEquals(15, clock.elapsedMillis());
            return null;
        });
        assertEquals(List.of("body cleaned up at 15", "a cleaned up at 15", "b cleaned up at 15"), log);
        finish(2);
    }

    @Test
    void cancel_ofTheTaskWhileTheGroupWaitsForItsChildren_cancelsThem() {
        runInVirtualTime(() -> {
            Task<Object> owner = Asyncio.createTask(() -> Asyncio.taskGroup(group -> {
                group.createTask(() -> sleepAnHour("a"));
                return null;
            }));
            Asyncio.sleep(10);
            owner.cancel();
            try {
                owner.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            return null;
        });
        assertEquals(List.of("a cleaned up at 15"), log);
        finish(2);
    }

    @Test
    void timeout_aroundAGroup_cancelsTheChildrenAndTimesOutAfterThem() {
        runInVirtualTime(() -> {
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> Asyncio.taskGroup(group -> {
                    group.createTask(() -> sleepAnHour("a"));
                    return null;
                }));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return null;
        });
        assertEquals(List.of("a cleaned up at 15"), log);
        finish(2);
    }

    @Test
    void timeout_insideAChild_isThatChildsAffair() {
        String result = runInVirtualTime(() -> Asyncio.taskGroup(group -> {
            Task<String> child = group.createTask(() -> {
                try {
                    return Asyncio.timeout(Duration.ofMillis(10), () -> sleepAnHour("slow"));
                } catch (TimeoutException expected) {
                    return "child timed out";
                }
            });
            group.createTask(() -> after(30, "sibling"));
            return child.await();
        }));
        assertEquals("child timed out", result);
        assertEquals(List.of("slow cleaned up at 15", "sibling at 30"), log);
        finish(1);
    }

    @Test
    void nestedGroups_inTheSameTask_anOuterFailureCancelsTheInnerGroup() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(outer -> {
                    outer.createTask(() -> failAfter(10, "outer child failed"));
                    return Asyncio.taskGroup(inner -> {
                        inner.createTask(() -> sleepAnHour("inner child"));
                        return sleepAnHour("inner body");
                    });
                });
                expectUnreached();
            } catch (IllegalStateException failure) {
                expect(1);
                assertEquals("outer child failed", failure.getMessage());
                assertEquals(0, failure.getSuppressed().length);
            }
            return null;
        });
        assertEquals(List.of("inner body cleaned up at 15", "inner child cleaned up at 15"), log);
        finish(2);
    }

    @Test
    void nestedGroups_inAChild_anInnerFailureFailsTheOuterGroup() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(outer -> {
                    outer.createTask(() -> sleepAnHour("outer child"));
                    outer.createTask(() -> Asyncio.taskGroup(inner -> {
                        inner.createTask(() -> sleepAnHour("inner child"));
                        inner.createTask(() -> failAfter(10, "inner failed"));
                        return null;
                    }));
                    return null;
                });
                expectUnreached();
            } catch (IllegalStateException failure) {
                expect(1);
                assertEquals("inner failed", failure.getMessage());
            }
            return null;
        });
        assertEquals(List.of("inner child cleaned up at 15", "outer child cleaned up at 20"), log);
        finish(2);
    }

    @Test
    void children_createMoreChildrenInTheGroup_theGroupWaitsForThemToo() {
        runInVirtualTime(() -> Asyncio.taskGroup(group -> {
            group.createTask(() -> {
                Asyncio.sleep(10);
                group.createTask(() -> after(20, "grandchild"));
            });
            return null;
        }));
        assertEquals(List.of("grandchild at 30"), log);
        assertEquals(30, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void createTask_afterTheGroupEnded_throws() {
        runInVirtualTime(() -> {
            TaskGroup ended = Asyncio.taskGroup(group -> group);
            try {
                ended.createTask(() -> expectUnreached());
                expectUnreached();
            } catch (IllegalStateException expected) {
                assertEquals("TaskGroup.createTask: the task group has ended; create tasks from the group's body "
                        + "or from its children while it runs", expected.getMessage());
            }
            return null;
        });
        finish(1);
    }

    @Test
    void createTask_whileTheGroupIsCancelling_theChildNeverStarts() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    group.createTask(() -> failAfter(1, "failed"));
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } finally {
                        assertTrue(group.isCancelled());
                        Task<Void> late = group.createTask(() -> expectUnreached());
                        assertTrue(late.isCancelled());
                    }
                    return null;
                });
                expectUnreached();
            } catch (IllegalStateException expected) {
                expect(1);
            }
            return null;
        });
        finish(2);
    }

    @Test
    void cancel_ofTheGroup_cancelsBodyAndChildrenWithoutAFailure() {
        String result = runInVirtualTime(() -> Asyncio.taskGroup(group -> {
            group.createTask(() -> sleepAnHour("child"));
            group.createTask(() -> {
                Asyncio.sleep(10);
                group.cancel();
            });
            try {
                Asyncio.sleep(Duration.ofHours(1));
                return "slept";
            } catch (CancellationException cancelled) {
                return "body cancelled at " + clock.elapsedMillis();
            }
        }));
        assertEquals("body cancelled at 10", result);
        assertEquals(List.of("child cleaned up at 15"), log);
        finish(1);
    }

    @Test
    void cancel_ofOneChildByItsHandle_isNotAFailure() {
        String result = runInVirtualTime(() -> Asyncio.taskGroup(group -> {
            Task<String> victim = group.createTask(() -> sleepAnHour("victim"));
            group.createTask(() -> after(20, "survivor"));
            Asyncio.sleep(10);
            victim.cancel();
            return "body";
        }));
        assertEquals("body", result);
        assertEquals(List.of("victim cleaned up at 15", "survivor at 20"), log);
        finish(1);
    }

    @Test
    void body_awaitsAChildThatFails_theFailureIsThrownOnce() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    Task<String> child = group.createTask(() -> failAfter(10, "child failed"));
                    return child.await();
                });
                expectUnreached();
            } catch (IllegalStateException failure) {
                expect(1);
                assertEquals("child failed", failure.getMessage());
                assertEquals(0, failure.getSuppressed().length);
            }
            return null;
        });
        finish(2);
    }

    @Test
    void taskGroup_theBodyRunsInTheCallingTask() {
        run(() -> {
            Task<?> caller = Asyncio.currentTask();
            Asyncio.taskGroup(group -> {
                assertSame(caller, Asyncio.currentTask());
                assertFalse(group.isCancelled());
                return null;
            });
            finish(1);
        });
    }

    @Test
    void childFails_whileTheBodyIsShielded_siblingsCancelledAtOnceAndTheBodyAfterItsShield() {
        runInVirtualTime(() -> {
            try {
                Asyncio.taskGroup(group -> {
                    group.createTask(() -> failAfter(10, "failed"));
                    group.createTask(() -> sleepAnHour("sibling"));
                    Asyncio.shield(() -> after(30, "shielded work"));
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancellationException expected) {
                        log.add("body cancelled at " + clock.elapsedMillis());
                        throw expected;
                    }
                    return null;
                });
                expectUnreached();
            } catch (IllegalStateException failure) {
                expect(1);
                assertEquals("failed", failure.getMessage());
            }
            return null;
        });
        assertEquals(List.of("sibling cleaned up at 15", "shielded work at 30", "body cancelled at 30"), log);
        finish(2);
    }
}
