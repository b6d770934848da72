package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.Bootstrap;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.Location;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import com.sun.jdi.connect.LaunchingConnector;
import com.sun.jdi.connect.VMStartException;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A debugger stopped after a resume sees the locals declared before the park. The fixture
 * {@code DebuggerLocals} is woven, written out as class files (as the Maven plugin leaves
 * them) and run in a child JVM launched through JDI ({@code com.sun.jdi}, JDWP). A breakpoint on
 * the line after {@code Asyncio.sleep(0)} is first reached after the task parked and the loop
 * resumed it (the frame below is the resume bridge, not the caller); there the method's locals,
 * which the code never reads again, must hold their values, and the stack frame must report the
 * source lines of the breakpoint and of the park.
 */
class DebuggerAfterResumeTest {
    private static final String FIXTURE = FixtureProgram.FIXTURES + ".DebuggerLocals";

    @TempDir
    Path classes;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void breakpointAfterResume_seesLocalsDeclaredBeforeThePark() throws Exception {
        FixtureProgram program = FixtureProgram.load(FIXTURE);
        WovenProgram woven = WovenProgram.weave(program);
        assertTrue(woven.diagnostics().isEmpty(), () -> "DebuggerLocals does not weave: " + woven.diagnostics());
        for (Map.Entry<String, byte[]> entry : woven.wovenClasses().entrySet()) {
            Path file = classes.resolve(entry.getKey().replace('.', '/') + ".class");
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue());
        }
        int breakpointLine = SourceMarker.line(program.sourceFile(), "// BREAKPOINT");
        int parkLine = SourceMarker.line(program.sourceFile(), "// PARK");

        VirtualMachine vm = launch(classes + File.pathSeparator + Compilers.runtimeClasses());
        CompletableFuture<String> output = drain(vm.process().getInputStream());
        CompletableFuture<String> errors = drain(vm.process().getErrorStream());
        Map<String, Object> seen = null;
        try {
            ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
            prepare.addClassFilter(FIXTURE);
            prepare.enable();
            vm.resume();
            boolean running = true;
            while (running) {
                EventSet events = vm.eventQueue().remove(60_000);
                assertNotNull(events, "no event from the debuggee within a minute");
                for (Event event : events) {
                    if (event instanceof ClassPrepareEvent) {
                        setBreakpoints(vm, ((ClassPrepareEvent) event).referenceType(), breakpointLine);
                    } else if (event instanceof BreakpointEvent) {
                        assertTrue(seen == null, "the breakpoint was hit twice; the line runs once, after the resume");
                        seen = inspect((BreakpointEvent) event, breakpointLine, parkLine);
                    } else if (event instanceof VMDeathEvent || event instanceof VMDisconnectEvent) {
                        running = false;
                    }
                }
                if (running) {
                    events.resume();
                }
            }
        } finally {
            try {
                vm.dispose();
            } catch (RuntimeException alreadyGone) {
                // the debuggee has ended
            }
            // Let it end by itself and its output be read to the end: destroying it at once closed
            // the pipes under the threads still reading them, under load ("Stream closed").
            if (!vm.process().waitFor(60, TimeUnit.SECONDS)) {
                vm.process().destroyForcibly();
            }
        }
        assertTrue(vm.process().waitFor(60, TimeUnit.SECONDS), "the debuggee did not end");
        String stdout = output.get(60, TimeUnit.SECONDS);
        assertEquals("compute returned after the park\nother ran 1 times\n", stdout.replace("\r\n", "\n"),
                () -> "what the debuggee printed; its standard error:\n" + errors.join());
        assertNotNull(seen, "the breakpoint on line " + breakpointLine + " was never hit");
        assertEquals(21, seen.get("base"));
        assertEquals("label", seen.get("label"));
        assertEquals(42, seen.get("count"));
        assertEquals("before-21", seen.get("name"));
        assertEquals(1L << 40, seen.get("big"));
        assertEquals(0.25, seen.get("ratio"));
        assertFalse(seen.containsKey("after"), "'after' is not in scope on its own declaration line");
    }

    /** Launches the fixture under JDWP with this JVM's own {@code java}, suspended before {@code main}. */
    private static VirtualMachine launch(String classPath)
            throws IOException, IllegalConnectorArgumentsException, VMStartException {
        LaunchingConnector connector = Bootstrap.virtualMachineManager().defaultConnector();
        Map<String, Connector.Argument> arguments = connector.defaultArguments();
        arguments.get("home").setValue(System.getProperty("java.home"));
        arguments.get("options").setValue("-cp \"" + classPath + "\"");
        arguments.get("main").setValue(FIXTURE);
        arguments.get("suspend").setValue("true");
        return connector.launch(arguments);
    }

    private static void setBreakpoints(VirtualMachine vm, ReferenceType type, int line) throws AbsentInformationException {
        List<Location> locations = type.locationsOfLine(line);
        assertFalse(locations.isEmpty(), "the woven class has no code on line " + line);
        for (Location location : locations) {
            BreakpointRequest request = vm.eventRequestManager().createBreakpointRequest(location);
            request.enable();
        }
    }

    /** Checks where the debuggee stopped and returns the values of the visible locals, by name. */
    private static Map<String, Object> inspect(BreakpointEvent event, int breakpointLine, int parkLine)
            throws IncompatibleThreadStateException, AbsentInformationException {
        StackFrame top = event.thread().frame(0);
        Location here = top.location();
        assertEquals("compute", here.method().name());
        assertEquals(breakpointLine, here.lineNumber(), "the line of the stopped frame");
        assertEquals("DebuggerLocals.java", here.sourceName());
        List<Integer> lines = new ArrayList<>();
        for (Location location : here.method().allLineLocations()) {
            lines.add(location.lineNumber());
        }
        assertTrue(lines.contains(parkLine) && lines.contains(breakpointLine),
                "the woven method's line table should still hold the park's line " + parkLine + " and the next, "
                        + breakpointLine + ": " + lines);
        String caller = event.thread().frame(1).location().method().name();
        assertTrue(caller.startsWith("compute$resume"),
                "the breakpoint should be hit after a real park and resume, called by the resume bridge, but the caller is "
                        + caller);
        Map<String, Object> values = new HashMap<>();
        for (LocalVariable variable : top.visibleVariables()) {
            try {
                values.put(variable.name(), plain(top.getValue(variable)));
            } catch (com.sun.jdi.InconsistentDebugInfoException e) {
                fail("local '" + variable.name() + "' is in scope but holds no value after the resume "
                        + "(the weaver did not restore it): " + e);
            }
        }
        return values;
    }

    /** A JDI value as the Java value it mirrors: boxed primitives and strings. */
    private static Object plain(Value value) {
        if (value == null) {
            return null;
        }
        if (value instanceof StringReference) {
            return ((StringReference) value).value();
        }
        if (value instanceof com.sun.jdi.IntegerValue) {
            return ((com.sun.jdi.IntegerValue) value).value();
        }
        if (value instanceof com.sun.jdi.LongValue) {
            return ((com.sun.jdi.LongValue) value).value();
        }
        if (value instanceof com.sun.jdi.DoubleValue) {
            return ((com.sun.jdi.DoubleValue) value).value();
        }
        fail("unexpected local of type " + value.type().name());
        return null;
    }

    /** Reads {@code stream} to its end on a thread of its own (the common pool may have one thread, or be busy). */
    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read: " + e + ")";
            }
        }, work -> {
            Thread reader = new Thread(work, "debuggee-output");
            reader.setDaemon(true);
            reader.start();
        });
    }
}
