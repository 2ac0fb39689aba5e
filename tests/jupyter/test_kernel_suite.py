"""Jupyter's own kernel test suite (jupyter_kernel_test) against the course kernel.

Run with `npm run test:kernel-suite`; it uses the kernelspec registered in $JUPYTER_DATA_DIR
(or Jupyter's default data dir) by `npm run kernel:install`. Every sample is filled in: no test
of the suite is skipped (the runner at the bottom fails on any skip).
"""
import sys
import unittest

import jupyter_kernel_test


class CourseKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "dl-by-hand"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    # A name from a cell (defined first by test_clear_output, alphabetically earlier) and a
    # built-in; completions are exact sets.
    completion_samples = [
        {"text": "dl.clearOutp", "matches": {"clearOutput"}},
        {"text": "JSON.stringi", "matches": {"stringify"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1, 2,", "if (true) {"]
    invalid_code_samples = ["1 +* 2", "const = 3;", "let 5x = 1;"]

    code_page_something = "Math.max?"

    code_generate_error = 'throw new Error("expected failure")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2].length", "result": "2"},
    ]

    code_display_data = [
        {"code": 'import * as dl from "dl-by-hand";\ndl.display({ "text/html": "<b>hi</b>", "text/plain": "hi" });', "mime": "text/html"},
        {"code": 'import * as dl from "dl-by-hand";\ndl.display({ "image/svg+xml": "<svg/>", "text/plain": "svg" });', "mime": "image/svg+xml"},
    ]

    code_history_pattern = "6 * ?"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = 'import * as dl from "dl-by-hand";\nconsole.log("soon gone");\ndl.clearOutput();'


class FailOnSkip(unittest.TextTestResult):
    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.addFailure(test, (AssertionError, AssertionError(f"skipped: {reason}"), None))


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(CourseKernelTests)
    result = unittest.TextTestRunner(verbosity=2, resultclass=FailOnSkip).run(suite)
    print(f"kernel suite: {result.testsRun} tests, {len(result.failures)} failures, {len(result.errors)} errors, {len(result.skipped)} skipped")
    sys.exit(0 if result.wasSuccessful() and not result.skipped else 1)
