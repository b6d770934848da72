package io.jasyncio.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the README's example honest: it must be the {@link Hello} sample, which SamplesIT runs. */
class ReadmeTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));

    @Test
    void readmeExample_isTheHelloSampleWithoutItsPackage() throws IOException {
        String readme = Files.readString(MODULE.resolve("../README.md"));
        int start = readme.indexOf("```java\n");
        assertTrue(start >= 0, "README.md has no ```java block");
        start += "```java\n".length();
        String example = readme.substring(start, readme.indexOf("```\n", start));

        String sample = Files.readString(MODULE.resolve("src/main/java/io/jasyncio/samples/Hello.java"));
        String withoutPackage = sample.replaceFirst("package io\\.jasyncio\\.samples;\n\n", "");

        assertEquals(withoutPackage, example, "the first ```java block of README.md must be Hello.java "
                + "without its package line: change both together");
    }
}
