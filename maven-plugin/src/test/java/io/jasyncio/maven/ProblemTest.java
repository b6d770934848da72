package io.jasyncio.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jasyncio.weaver.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one line a user sees for each problem: {@code /abs/path/Foo.java:[LINE] message — fix}. */
class ProblemTest {
    @TempDir
    Path temp;

    @Test
    void format_namesTheSourceFileAndLine_asIdesLinkThem() throws IOException {
        Path root = Files.createDirectories(temp.resolve("src/main/java"));
        Path source = Files.createDirectories(root.resolve("com/x")).resolve("Foo.java");
        Files.writeString(source, "class Foo {}");
        DirectoryWeaver.Problem problem = problem(new Diagnostic("com.x.Foo$Inner", "bar", "()V", "Foo.java", 12,
                "suspending call to io.jasyncio.Asyncio.sleep() in a method that is not @Async", "annotate bar() with @Async"));
        assertEquals(source.toAbsolutePath() + ":[12] suspending call to io.jasyncio.Asyncio.sleep() in a method that"
                        + " is not @Async — annotate bar() with @Async",
                problem.format(new SourceLocator(List.of(root))));
    }

    @Test
    void format_withoutLineNumbers_leavesTheLineOut() {
        DirectoryWeaver.Problem problem = problem(new Diagnostic("com.x.Foo", "bar", "()V", "Foo.java", -1, "wrong", "fix it"));
        assertEquals("com/x/Foo.java: wrong — fix it", problem.format(new SourceLocator(List.of())));
    }

    @Test
    void format_ofAnUnreadableClass_namesTheClassFile() {
        Path classFile = temp.resolve("target/classes/com/x/Broken.class");
        DirectoryWeaver.Problem problem = new DirectoryWeaver.Problem(classFile,
                new Diagnostic("?", "?", "?", null, -1, "the class file cannot be read", "recompile it"));
        assertEquals(classFile.toAbsolutePath() + ": the class file cannot be read — recompile it",
                problem.format(new SourceLocator(List.of())));
    }

    private DirectoryWeaver.Problem problem(Diagnostic diagnostic) {
        return new DirectoryWeaver.Problem(temp.resolve("target/classes/com/x/Foo.class"), diagnostic);
    }
}
