package io.jasyncio.maven;

import java.io.File;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Weaves the project's test classes, in {@code target/test-classes}, as {@code weave} does the
 * main classes; the test classpath (main classes and test dependencies included) tells which
 * methods they call are {@code @Async}. Does nothing when the test classes were not compiled.
 */
@Mojo(name = "weave-tests", defaultPhase = LifecyclePhase.PROCESS_TEST_CLASSES,
        requiresDependencyResolution = ResolutionScope.TEST, threadSafe = true)
public class WeaveTestsMojo extends AbstractWeaveMojo {
    /** The directory of the compiled test classes. */
    @Parameter(defaultValue = "${project.build.testOutputDirectory}", required = true, readonly = true)
    private File classesDirectory;

    /** The test classpath, where {@code @Async} methods of the main classes and dependencies are found. */
    @Parameter(defaultValue = "${project.testClasspathElements}", required = true, readonly = true)
    private List<String> classpathElements;

    /** The test source roots, where problems are reported. */
    @Parameter(defaultValue = "${project.testCompileSourceRoots}", required = true, readonly = true)
    private List<String> sourceRoots;

    /** Creates the goal; Maven sets its parameters. */
    public WeaveTestsMojo() {}

    @Override
    File classesDirectory() {
        return classesDirectory;
    }

    @Override
    List<String> classpathElements() {
        return classpathElements;
    }

    @Override
    List<String> sourceRoots() {
        return sourceRoots;
    }
}
