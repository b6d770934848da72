package io.jasyncio.maven;

import io.jasyncio.weaver.Weaver;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What the goals {@code weave} and {@code weave-tests} share: a thin adapter from a Maven build
 * to {@link Weaver#weave}, as the agent is one from class loading. The goals differ only in the
 * directory they rewrite, the classpath its classes were compiled against, and the source
 * roots problems are reported in.
 *
 * <p>The run: weave every class file of the directory in memory ({@link DirectoryWeaver}), with
 * one weaver whose finder reads the classpath ({@link ClasspathFinder}, no class is loaded);
 * report all problems at once, one IDE-linkable line each; if they fail the build, stop before
 * anything is written; otherwise replace the rewritten class files atomically
 * ({@link ClassFileWriter}). Classes already woven and classes with nothing to weave are not
 * written, so a second run over the same classes writes nothing.
 */
abstract class AbstractWeaveMojo extends AbstractMojo {
    /**
     * Skips weaving: the classes stay as javac wrote them (run them with the agent instead).
     */
    @Parameter(property = "jasyncio.skip", defaultValue = "false")
    private boolean skip;

    /**
     * Whether misuse of {@code @Async} fails the build. When {@code true}, every problem is
     * reported as an error and no class file is changed. When {@code false}, every problem is
     * reported as a warning and the classes are woven anyway, each faulty method replaced by one
     * that throws {@code IllegalStateException} with the problem's text (as under the agent).
     */
    @Parameter(property = "jasyncio.failOnError", defaultValue = "true")
    private boolean failOnError;

    /**
     * Whether to log, at info level, one line for each class woven and a summary: classes
     * scanned, classes woven, methods woven, classes already woven, and the time taken in
     * milliseconds. Otherwise the summary is logged at debug level.
     */
    @Parameter(property = "jasyncio.verbose", defaultValue = "false")
    private boolean verbose;

    /**
     * A directory in which to keep a copy of the classes directory as it was before weaving, to
     * run the same classes under the agent too (this project's own tests do). Every file is
     * copied there, class files and resources, before any is rewritten; except a class file
     * that an earlier build already wove and javac has not written again since: its copy from
     * that build is still the unwoven one, and is kept. So the copy stays true on a build
     * without {@code clean}, where copying the classes directory would copy woven classes. The
     * build fails, saying so, when such a class has no copy to keep. Not set: no copy.
     */
    @Parameter
    private File unwovenCopy;

    /** The directory whose class files are rewritten in place. */
    abstract File classesDirectory();

    /** The classpath the classes were compiled against: directories and jars. */
    abstract List<String> classpathElements();

    /** The source roots the classes were compiled from. */
    abstract List<String> sourceRoots();

    /**
     * Weaves the classes, or fails the build on misuse of {@code @Async} having changed nothing.
     *
     * @throws MojoFailureException when there are problems and {@code failOnError} is set
     * @throws MojoExecutionException when a class file cannot be read or written
     */
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Path directory = classesDirectory().toPath().toAbsolutePath();
        if (skip) {
            getLog().info("jasyncio: weaving skipped (jasyncio.skip)");
            return;
        }
        if (!Files.isDirectory(directory)) {
            getLog().debug("jasyncio: nothing to weave, no directory " + directory);
            return;
        }
        long start = System.nanoTime();
        DirectoryWeaver.Outcome outcome;
        try (ClasspathFinder finder = ClasspathFinder.of(directory, paths(classpathElements()))) {
            outcome = new DirectoryWeaver(new Weaver(finder)).weave(directory);
        } catch (IOException | UncheckedIOException e) {
            throw new MojoExecutionException("jasyncio: cannot read the classes to weave: " + e.getMessage(), e);
        }
        report(outcome, directory);
        if (unwovenCopy != null) {
            Path copy = unwovenCopy.toPath().toAbsolutePath();
            try {
                UnwovenCopy.keep(directory, outcome, copy);
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                throw new MojoExecutionException("jasyncio: cannot keep an unwoven copy of the classes in " + copy
                        + ": " + e.getMessage(), e);
            }
        }
        try {
            new ClassFileWriter().writeAll(outcome.files());
        } catch (IOException e) {
            throw new MojoExecutionException("jasyncio: " + e.getMessage(), e);
        }
        summarize(outcome, directory, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private void report(DirectoryWeaver.Outcome outcome, Path directory) throws MojoFailureException {
        SourceLocator sources = new SourceLocator(paths(sourceRoots()));
        List<String> lines = outcome.problems().stream().map(problem -> problem.format(sources)).toList();
        if (lines.isEmpty()) {
            return;
        }
        if (failOnError) {
            lines.forEach(getLog()::error);
            throw new MojoFailureException(lines.size() + (lines.size() == 1 ? " misuse" : " misuses")
                    + " of @Async (listed above); no class file in " + directory + " was changed."
                    + " Fix them, or set failOnError to false to weave anyway with the faulty methods throwing.");
        }
        lines.forEach(getLog()::warn);
    }

    private void summarize(DirectoryWeaver.Outcome outcome, Path directory, long millis) {
        if (verbose) {
            for (DirectoryWeaver.WovenClass woven : outcome.wovenClasses()) {
                getLog().info("jasyncio: wove " + woven.className() + " (" + woven.methods()
                        + (woven.methods() == 1 ? " @Async method)" : " @Async methods)"));
            }
        }
        String summary = "jasyncio: " + outcome.classesScanned() + " classes scanned, "
                + outcome.wovenClasses().size() + " classes woven, " + outcome.methodsWoven() + " methods woven, "
                + outcome.classesAlreadyWoven() + " already woven, " + millis + " ms (" + directory + ")";
        if (verbose) {
            getLog().info(summary);
        } else {
            getLog().debug(summary);
        }
    }

    private static List<Path> paths(List<String> elements) {
        return elements == null ? List.of() : elements.stream().map(Path::of).toList();
    }
}
