package io.jasyncio.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceLocatorTest {
    @TempDir
    Path temp;

    @Test
    void locate_findsTheFileUnderTheFirstRootThatHasIt() throws IOException {
        Path main = Files.createDirectories(temp.resolve("src/main/java"));
        Path generated = Files.createDirectories(temp.resolve("target/generated-sources"));
        Path file = touch(generated.resolve("com/x/Foo.java"));
        SourceLocator locator = new SourceLocator(List.of(main, generated));
        assertEquals(file.toAbsolutePath(), locator.locate("com.x.Foo", "Foo.java"));
    }

    @Test
    void locate_nestedClassesUseTheSourceFileTheClassFileNames() throws IOException {
        Path root = Files.createDirectories(temp.resolve("src"));
        Path file = touch(root.resolve("com/x/Outer.java"));
        SourceLocator locator = new SourceLocator(List.of(root));
        assertEquals(file.toAbsolutePath(), locator.locate("com.x.Outer$Inner$1", "Outer.java"));
    }

    @Test
    void locate_withoutSourceFileAssumesTheTopLevelClassName() throws IOException {
        Path root = Files.createDirectories(temp.resolve("src"));
        Path file = touch(root.resolve("com/x/Outer.java"));
        SourceLocator locator = new SourceLocator(List.of(root));
        assertEquals(file.toAbsolutePath(), locator.locate("com.x.Outer$Inner", null));
    }

    @Test
    void locate_fallsBackToThePackagePathWhenNoRootHasTheFile() {
        SourceLocator locator = new SourceLocator(List.of(temp.resolve("src")));
        assertEquals(Path.of("com/x/Foo.java"), locator.locate("com.x.Foo", "Foo.java"));
        assertEquals(Path.of("Top.java"), locator.locate("Top", "Top.java"));
    }

    private static Path touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "class X {}");
    }
}
