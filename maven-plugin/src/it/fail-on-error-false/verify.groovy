// failOnError=false: each problem (main and test classes) is a warning, and the faulty method throws it at run time.

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

def log = new File(basedir, 'build.log').getText('UTF-8')
def source = new File(basedir, 'src/main/java/com/example/Plain.java')
int line = source.readLines().findIndexOf { it.contains('// MISUSE') } + 1
def text = 'suspending call to io.jasyncio.Asyncio.sleep() in a method that is not @Async'
assert log.readLines().any { it.startsWith("[WARNING] ${source.toPath().toAbsolutePath().normalize()}:[${line}] ${text} — ") }
def testSource = new File(basedir, 'src/test/java/com/example/PlainTest.java')
int testLine = testSource.readLines().findIndexOf { it.contains('// MISUSE') } + 1
assert log.readLines().any { it.startsWith("[WARNING] ${testSource.toPath().toAbsolutePath().normalize()}:[${testLine}] ${text} — ") }
assert log.contains('[INFO] BUILD SUCCESS')

def out = run([java, '-cp', 'target/classes' + sep + runtimeJar, 'com.example.Main'])
assert out.startsWith('caught: ') && out.contains(text) : out
return true
