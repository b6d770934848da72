// The plugin wove the main and test classes; they run with no agent, on the runtime jar alone.
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('[INFO] jasyncio: wove com.example.Main (')
assert log.contains('[INFO] jasyncio: wove com.example.TestMain (')
assert log =~ /\[INFO\] jasyncio: 1 classes scanned, 1 classes woven, \d+ methods woven, 0 already woven, \d+ ms/

def run(List<String> command) {
    def process = command.execute(null, basedir)
    def out = new StringBuilder(), err = new StringBuilder()
    process.waitForProcessOutput(out, err)
    assert process.exitValue() == 0 : "${command} failed:\n${out}${err}"
    assert err.toString().isEmpty() : "${command} wrote to standard error:\n${err}"
    return out.toString().normalize()
}

def java = new File(System.getProperty('java.home'), 'bin/java').path
def classes = new File(basedir, 'target/classes').path
def testClasses = new File(basedir, 'target/test-classes').path
def sep = File.pathSeparator

assert run([java, '-cp', classes + sep + runtimeJar, 'com.example.Main']) == '''\
a 1
b 1
a 2
b 2
a 3
both done
total 5
'''
assert run([java, '-cp', testClasses + sep + classes + sep + runtimeJar, 'com.example.TestMain']) == '''\
test 1
test 1
test steps 2
'''
return true
