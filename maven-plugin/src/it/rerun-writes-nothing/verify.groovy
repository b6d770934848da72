// Two builds of the same project (invoker.goals.1 and .2): the second finds the classes woven.
def log = new File(basedir, 'build.log').getText('UTF-8')
def first = log.indexOf('[INFO] jasyncio: 2 classes scanned, 1 classes woven, 2 methods woven, 0 already woven, ')
assert first >= 0 : 'the first build should weave Main'
def second = log.indexOf('[INFO] jasyncio: 2 classes scanned, 0 classes woven, 0 methods woven, 1 already woven, ', first)
assert second > first : 'the second build should find Main woven and weave nothing'
// javac left the classes alone the second time, so the run above is the plugin's own judgement.
assert log.indexOf('Nothing to compile', first) > first
return true
