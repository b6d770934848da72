package io.jasyncio.weaver.corpus;

/** Points at the first line where two texts differ, for failure messages over long outputs. */
final class TextDiff {
    private TextDiff() {}

    /** {@code "first difference at line N: expected <a> but was <b>"}, or {@code null} when equal. */
    static String firstDifference(String expected, String actual) {
        if (expected.equals(actual)) {
            return null;
        }
        String[] want = expected.split("\n", -1);
        String[] got = actual.split("\n", -1);
        int line = 0;
        while (line < want.length && line < got.length && want[line].equals(got[line])) {
            line++;
        }
        String wanted = line < want.length ? "<" + want[line] + ">" : "the end of the output";
        String was = line < got.length ? "<" + got[line] + ">" : "the end of the output";
        return "first difference at line " + (line + 1) + ": expected " + wanted + " but was " + was;
    }
}
