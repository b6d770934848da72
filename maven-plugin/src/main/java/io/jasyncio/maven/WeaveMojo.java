package io.jasyncio.maven;

import java.io.File;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Weaves the project's main classes: rewrites each {@code @Async} method in
 * {@code target/classes} into a resumable state machine, in place, so that the classes need
 * only {@code jasyncio-runtime} at run time. Fails the build on misuse of {@code @Async}, with
 * one line per problem ({@code path/Foo.java:[LINE] message — fix}) and no class file changed.
 */
@Mojo(name = "weave", defaultPhase = LifecyclePhase.PROCESS_CLASSES,
        requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public class WeaveMojo extends AbstractWeaveMojo {
    /** The directory of the compiled main classes. */
    @Parameter(defaultValue = "${project.build.outputDirectory}", required = true, readonly = true)
    private File classesDirectory;

    /** The compile classpath, where {@code @Async} methods of dependencies are found. */
    @Parameter(defaultValue = "${project.compileClasspathElements}", required = true, readonly = true)
    private List<String> classpathElements;

    /** The main source roots, where problems are reported. */
    @Parameter(defaultValue = "${project.compileSourceRoots}", required = true, readonly = true)
    private List<String> sourceRoots;

    /** Creates the goal; Maven sets its parameters. */
    public WeaveMojo() {}

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
