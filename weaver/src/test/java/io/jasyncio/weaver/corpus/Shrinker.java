package io.jasyncio.weaver.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a failing {@link RandomProgram} down to what still fails the same way (the same
 * {@link Fuzzer.Verdict#kind}), by delta debugging over its statement tree. The generator
 * writes one statement per line and indents every block by four spaces, so the tree is read
 * back from the indentation: a statement is a line, and a line ending in {@code {} owns the
 * lines indented deeper up to its closing {@code }} (with {@code } else {}, {@code } catch},
 * {@code } finally {} continuing it); an annotation line goes with the member below it.
 *
 * <p>Three kinds of cuts, repeated until none helps: remove statements (in chunks, halving
 * down to one at a time, outer and inner alike), replace a block statement by the body of
 * one of its branches, and simplify expressions (a suspending call by its argument, a
 * parenthesised expression by a literal). A candidate is kept only if it compiles, its plain
 * run still succeeds and its woven run fails with the same kind. The search stops after a
 * budget of candidates, keeping the smallest program found.
 */
final class Shrinker {
    private static final int MAX_CANDIDATES = 600;
    private static final long MAX_NANOS = 6L * 60 * 1_000_000_000L;
    /** Suspending identity calls, which the shrinker replaces by their argument. */
    private static final Pattern SUSPENDING_CALL = Pattern.compile("\\b(p[A-Z]|asyncMix|rec[A-Za-z]*|fetch[A-Za-z]*)\\(");

    /** The smallest program found, and how it fails. */
    record Result(String source, Fuzzer.Verdict verdict) {}

    /** Compiles and checks a candidate program. */
    interface Checker {
        /** How {@code source} fares, or {@code null} when it does not compile. */
        Fuzzer.Verdict check(String source) throws IOException;
    }

    private final Checker checker;
    private final String kind;
    private int candidates;
    private final long deadline = System.nanoTime() + MAX_NANOS;

    /**
     * @param checker compiles and checks candidates
     * @param kind the {@link Fuzzer.Verdict#kind} a candidate must keep
     */
    Shrinker(Checker checker, String kind) {
        this.checker = checker;
        this.kind = kind;
    }

    /** How many candidates were tried. */
    int candidates() {
        return candidates;
    }

    Result shrink(String source, Fuzzer.Verdict verdict) throws IOException {
        Result shrunk = shrinkTree(source, verdict);
        return new Result(shrunk.source().replaceAll("\n(\\s*\n){2,}", "\n\n"), shrunk.verdict());
    }

    private Result shrinkTree(String source, Fuzzer.Verdict verdict) throws IOException {
        Result best = new Result(source, verdict);
        boolean progress = true;
        while (progress && withinBudget()) {
            progress = false;
            Result removed = removeStatements(best);
            progress |= removed != best;
            best = removed;
            Result unwrapped = unwrapBlocks(best);
            progress |= unwrapped != best;
            best = unwrapped;
            Result simplified = simplifyExpressions(best);
            progress |= simplified != best;
            best = simplified;
        }
        return best;
    }

    private boolean withinBudget() {
        return candidates < MAX_CANDIDATES && System.nanoTime() < deadline;
    }

    /** The candidate's result if it still fails the same way, else {@code null}. */
    private Result attempt(List<String> lines) throws IOException {
        if (!withinBudget()) {
            return null;
        }
        candidates++;
        String source = String.join("\n", lines);
        Fuzzer.Verdict verdict = checker.check(source);
        return verdict != null && verdict.kind().equals(kind) ? new Result(source, verdict) : null;
    }

    // ---------------------------------------------------------------- removing statements

    private Result removeStatements(Result start) throws IOException {
        Result best = start;
        List<int[]> units = units(lines(best.source()));
        int chunk = Math.max(1, units.size() / 2);
        while (withinBudget()) {
            boolean removedAny = false;
            for (int from = 0; from < units.size() && withinBudget(); ) {
                List<int[]> cut = units.subList(from, Math.min(units.size(), from + chunk));
                Result result = attempt(without(lines(best.source()), cut));
                if (result != null) {
                    best = result;
                    units = units(lines(best.source()));
                    removedAny = true;
                } else {
                    from += chunk;
                }
            }
            if (chunk == 1 && !removedAny) {
                break;
            }
            chunk = Math.max(1, chunk / 2);
        }
        return best;
    }

    private static List<String> without(List<String> lines, List<int[]> units) {
        TreeSet<Integer> drop = new TreeSet<>();
        for (int[] unit : units) {
            for (int line = unit[0]; line <= unit[1]; line++) {
                drop.add(line);
            }
        }
        List<String> kept = new ArrayList<>();
        for (int line = 0; line < lines.size(); line++) {
            if (!drop.contains(line)) {
                kept.add(lines.get(line));
            }
        }
        return kept;
    }

    /**
     * Every statement of the generated methods ({@code body} and the helpers {@code h1..hN}) and
     * every member, as {@code [first line, last line]}, outer ones before the ones inside them.
     * The statements of the fixed methods (the suspending primitives, {@code show}...) are the
     * harness: cutting them could make both runs differ for reasons of their own (an array
     * printed by identity), so they stay whole; a fixed member goes only when nothing uses it.
     */
    static List<int[]> units(List<String> lines) {
        List<int[]> units = new ArrayList<>();
        for (int line = 0; line < lines.size(); line++) {
            String text = lines.get(line).trim();
            int indent = indent(lines.get(line));
            boolean member = indent == 4 && (text.startsWith("@") || text.startsWith("static") && text.endsWith("{")
                    && !text.contains("main("));
            boolean statement = indent >= 8 && generated(lines, line) && !text.isEmpty() && !text.startsWith("}")
                    && !text.startsWith("@") && !text.startsWith("if (park)") && !text.startsWith("Asyncio.createTask(");
            if (member || statement) {
                int end = end(lines, line);
                if (end >= line) {
                    units.add(new int[] {line, end});
                }
            }
        }
        return units;
    }

    /** The last line of the statement starting at {@code start}, or {@code -1} when the text is not as the generator writes it. */
    private static int end(List<String> lines, int start) {
        String text = lines.get(start).trim();
        if (text.startsWith("@")) {
            return start + 1 < lines.size() ? end(lines, start + 1) : -1;
        }
        if (!text.endsWith("{")) {
            return start;
        }
        int indent = indent(lines.get(start));
        for (int line = start + 1; line < lines.size(); line++) {
            String next = lines.get(line).trim();
            if (next.isEmpty() || indent(lines.get(line)) > indent) {
                continue;
            }
            if (indent(lines.get(line)) == indent && next.startsWith("}")) {
                if (!next.endsWith("{")) {
                    return line;
                }
                continue;
            }
            return -1;
        }
        return -1;
    }

    /** Whether {@code line} lies in a generated method, {@code body} or a helper {@code h<N>}. */
    static boolean generated(List<String> lines, int line) {
        for (int index = line; index >= 0; index--) {
            String text = lines.get(index);
            if (indent(text) == 4 && !text.trim().isEmpty() && !text.trim().startsWith("}")) {
                return GENERATED_METHOD.matcher(text).find();
            }
        }
        return false;
    }

    private static final Pattern GENERATED_METHOD = Pattern.compile("^    (void body\\(\\)|String h\\d+\\()");

    private static int indent(String line) {
        int spaces = 0;
        while (spaces < line.length() && line.charAt(spaces) == ' ') {
            spaces++;
        }
        return spaces;
    }

    private static List<String> lines(String source) {
        return new ArrayList<>(List.of(source.split("\n", -1)));
    }

    // ---------------------------------------------------------------- unwrapping blocks

    /** Replaces a block statement ({@code if}, loop, {@code try}, {@code switch}...) by the body of one of its parts. */
    private Result unwrapBlocks(Result start) throws IOException {
        Result best = start;
        boolean changed = true;
        while (changed && withinBudget()) {
            changed = false;
            List<String> lines = lines(best.source());
            for (int[] unit : units(lines)) {
                if (unit[0] == unit[1] || indent(lines.get(unit[0])) < 8) {
                    continue;
                }
                for (List<String> body : parts(lines, unit)) {
                    List<String> candidate = new ArrayList<>(lines.subList(0, unit[0]));
                    candidate.addAll(body);
                    candidate.addAll(lines.subList(unit[1] + 1, lines.size()));
                    Result result = attempt(candidate);
                    if (result != null) {
                        best = result;
                        changed = true;
                        break;
                    }
                }
                if (changed || !withinBudget()) {
                    break;
                }
            }
        }
        return best;
    }

    /** The bodies of the parts of a block statement, each indented one level less. */
    private static List<List<String>> parts(List<String> lines, int[] unit) {
        int indent = indent(lines.get(unit[0]));
        List<List<String>> parts = new ArrayList<>();
        List<String> part = new ArrayList<>();
        for (int line = unit[0] + 1; line <= unit[1]; line++) {
            String text = lines.get(line);
            if (indent(text) == indent && text.trim().startsWith("}")) {
                parts.add(part);
                part = new ArrayList<>();
            } else {
                part.add(text.length() >= indent + 4 && text.startsWith(" ".repeat(indent + 4)) ? text.substring(4) : text);
            }
        }
        return parts;
    }

    // ---------------------------------------------------------------- simplifying expressions

    private static final String[] LITERALS = {"0", "0L", "0.5", "\"a\"", "false", "null"};

    /** Replaces suspending calls by their argument, then parenthesised expressions by literals. */
    private Result simplifyExpressions(Result start) throws IOException {
        Result best = start;
        for (int position = 0; withinBudget(); ) {
            String source = best.source();
            Matcher call = SUSPENDING_CALL.matcher(source);
            if (!call.find(position)) {
                break;
            }
            int open = call.end() - 1;
            int close = matching(source, open);
            position = call.end();
            if (close < 0 || !insideGeneratedMethod(source, call.start())) {
                continue;
            }
            String replacement = call.group(1).equals("asyncMix") ? "mix" : "";
            Result result = attempt(lines(source.substring(0, call.start()) + replacement + source.substring(open)));
            if (result != null) {
                best = result;
                position = call.start();
            }
        }
        for (int position = 0; withinBudget(); ) {
            String source = best.source();
            int open = source.indexOf('(', position);
            if (open < 0) {
                break;
            }
            position = open + 1;
            if (open == 0 || Character.isJavaIdentifierPart(source.charAt(open - 1)) || !insideGeneratedMethod(source, open)) {
                continue;
            }
            int close = matching(source, open);
            if (close < 0 || close - open < 4) {
                continue;
            }
            for (String literal : LITERALS) {
                Result result = attempt(lines(source.substring(0, open) + literal + source.substring(close + 1)));
                if (result != null) {
                    best = result;
                    position = open;
                    break;
                }
            }
        }
        return best;
    }

    /** Whether {@code offset} is in a statement of a generated method. */
    private static boolean insideGeneratedMethod(String source, int offset) {
        int line = (int) source.substring(0, offset).chars().filter(c -> c == '\n').count();
        List<String> lines = lines(source);
        return indent(lines.get(line)) >= 8 && generated(lines, line);
    }

    /** The index of the parenthesis closing the one at {@code open}, or {@code -1}; string literals are skipped. */
    private static int matching(String source, int open) {
        int depth = 0;
        boolean inString = false;
        for (int index = open; index < source.length(); index++) {
            char c = source.charAt(index);
            if (inString) {
                if (c == '\\') {
                    index++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return index;
            } else if (c == '\n') {
                return -1;
            }
        }
        return -1;
    }
}
