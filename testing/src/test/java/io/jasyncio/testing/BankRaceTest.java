package io.jasyncio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The race sample: a classic check-then-act race across a suspension point. Two withdrawals
 * from one balance each check the balance, make a network call (here a simulated round trip,
 * one loop step), and then take the money. In first-in first-out order the program happens to
 * work; seeded schedules find the interleaving where both checks pass before either update,
 * and the balance goes negative. Guarding the check and the update with a {@link Lock} fixes it.
 */
class BankRaceTest {

    /** One account; {@code log} tells the story of a run, so that a replay can be compared. */
    static final class Account {
        private final Lock lock;
        int balance = 100;
        final List<String> log = new ArrayList<>();

        Account(boolean guarded) {
            this.lock = guarded ? new Lock() : null;
        }

        /** Takes {@code amount} if the balance covers it; the check and the update are a round trip apart. */
        @Async
        boolean withdraw(String who, int amount) {
            if (lock != null) {
                lock.acquire();
            }
            try {
                if (balance < amount) {
                    log.add(who + " refused " + amount);
                    return false;
                }
                log.add(who + " sees " + balance);
                networkRoundTrip(); // record the withdrawal with the bank's ledger service
                balance -= amount;
                log.add(who + " took " + amount + ", left " + balance);
                return true;
            } finally {
                if (lock != null) {
                    lock.release();
                }
            }
        }
    }

    /** A simulated network call: one round trip, during which other tasks run. */
    @Async
    static void networkRoundTrip() {
        Asyncio.sleep(Duration.ZERO);
    }

    /** An ATM takes 80 while the phone app, which first loads the account (one round trip), takes 50. */
    @Async
    static void atmAndAppWithdraw(boolean guarded) {
        Account account = new Account(guarded);
        Task<Boolean> atm = Asyncio.createTask(() -> account.withdraw("atm", 80));
        Task<Boolean> app = Asyncio.createTask(() -> {
            networkRoundTrip(); // load the account screen
            return account.withdraw("app", 50);
        });
        boolean atmTook = atm.await();
        boolean appTook = app.await();
        assertTrue(account.balance >= 0, "overdrawn: " + account.log);
        assertTrue(atmTook != appTook, "exactly one withdrawal fits: " + account.log);
    }

    @Test
    void firstInFirstOut_missesTheRace() {
        assertNull(AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(0, 1), 0, () -> atmAndAppWithdraw(false)));
    }

    @Test
    void seededSchedules_findTheRaceWithinAThousandSeeds_andItsSeedReplaysIt() {
        Throwable found = AsyncTestRunner.firstFailure(AsyncTestRunner.Settings.seeds(0, 1000), () -> atmAndAppWithdraw(false));
        assertNotNull(found, "1000 schedules missed the race");
        String message = found.getMessage();
        assertTrue(message.contains("overdrawn"), message);
        long seed = Long.parseLong(message.substring("seed ".length(), message.indexOf(' ', "seed ".length())));
        assertTrue(message.startsWith("seed " + seed + " failed (replay it with @AsyncTest(seed = " + seed + "))"), message);
        for (int replay = 0; replay < 3; replay++) {
            Throwable again = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(seed, 1), seed,
                    () -> atmAndAppWithdraw(false));
            assertNotNull(again, "seed " + seed + " did not replay the race");
            assertEquals(message, again.getMessage());
        }
    }

    @Test
    void withTheLock_noneOfAThousandSeedsFails() {
        assertNull(AsyncTestRunner.firstFailure(AsyncTestRunner.Settings.seeds(0, 1000), () -> atmAndAppWithdraw(true)));
    }

    /** The same check as a test would write it: a thousand schedules of the guarded version. */
    @AsyncTest(schedules = 1000)
    @Async
    void guardedWithdrawals_holdUnderEverySchedule() {
        atmAndAppWithdraw(true);
    }
}
