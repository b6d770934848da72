package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shrinker cuts a program down to what keeps its failure, and the fixture it is saved as parks always. */
class ShrinkerTest {
    private static final String KIND = "has the marked statement";

    /** Fails "the same way" while the marked statement is present and every brace still pairs up. */
    private static Fuzzer.Verdict fakeCheck(String source, String marked) {
        boolean balanced = source.chars().filter(c -> c == '{').count() == source.chars().filter(c -> c == '}').count();
        if (!balanced) {
            return null;
        }
        return new Fuzzer.Verdict(source.contains(marked) ? KIND : "ok", "", "");
    }

    @Test
    void shrink_keepsOnlyWhatTheFailureNeeds() throws IOException {
        String source = RandomProgram.source(42, "Generated42", true);
        List<String> lines = List.of(source.split("\n"));
        String marked = lines.subList(lines.indexOf("    void body() throws Exception {"), lines.size()).stream().filter(line -> line.startsWith("        ") && line.contains("pJ(")
                && line.trim().endsWith(";")).reduce((first, second) -> second).orElseThrow();
        Shrinker shrinker = new Shrinker(candidate -> fakeCheck(candidate, marked), KIND);

        Shrinker.Result result = shrinker.shrink(source, fakeCheck(source, marked));

        assertEquals(KIND, result.verdict().kind());
        assertTrue(result.source().contains(marked), "the marked statement was cut:\n" + result.source());
        int before = lines.size();
        int after = result.source().split("\n").length;
        assertTrue(after * 4 < before, "shrunk only from " + before + " to " + after + " lines:\n" + result.source());
        assertTrue(shrinker.candidates() > 0);
    }

    @Test
    void shrink_simplifiesSuspendingCallsAwayWhenTheyDoNotMatter() throws IOException {
        String source = RandomProgram.source(7, "Generated7", true);
        Shrinker shrinker = new Shrinker(candidate -> fakeCheck(candidate, "void body()"), KIND);

        String shrunk = shrinker.shrink(source, fakeCheck(source, "void body()")).source();

        assertTrue(shrunk.contains("void body()"));
        assertTrue(!shrunk.contains("pI(pI(") && !shrunk.contains("asyncMix("),
                "suspending calls whose removal keeps the failure were kept:\n" + shrunk);
    }

    @Test
    void asFixture_namesTheProgramAndParksAlways() {
        String source = RandomProgram.source(3, "Generated3", true);

        String fixture = Fuzzer.asFixture(source, "Generated3", "FuzzSomething", "seed 3: woven output differs");

        assertTrue(fixture.contains("public final class FuzzSomething {"));
        assertTrue(fixture.contains("park = true;"));
        assertTrue(fixture.contains("/** Found by the weaver's fuzzer (seed 3: woven output differs). */"));
        assertTrue(!fixture.contains("Generated3") && !fixture.contains("args.length"), fixture);
    }
}
