// Under the agent (option verbose: one line per class it weaves), the plugin's output is left alone.

String run(List<String> command) {
    def process = command.execute(null, basedir)
    def out = new StringBuilder(), err = new StringBuilder()
    process.waitForProcessOutput(out, err)
    assert process.exitValue() == 0 : "${command} failed:\n${out}${err}"
    lastErr = err.toString()
    return out.toString().normalize()
}

java = new File(System.getProperty('java.home'), 'bin/java').path
sep = File.pathSeparator

def agent = "-javaagent:${agentJar}=verbose"
def expected = "1 + 2\n3 + 4\nsum 10\n"

// Control: javac's output, unwoven, is woven by the agent as it loads.
assert run([java, agent, '-cp', 'target/javac-classes' + sep + runtimeJar, 'com.example.Main']) == expected
assert lastErr.contains('jasyncio: wove com.example.Main') : lastErr

// The plugin's output runs the same, and the agent weaves nothing.
assert run([java, agent, '-cp', 'target/classes' + sep + runtimeJar, 'com.example.Main']) == expected
assert !lastErr.contains('jasyncio:') : lastErr
return true
