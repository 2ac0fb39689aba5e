# nbgrader configuration for the Deep Learning by Hand notebooks (TypeScript, kernel "dl-by-hand").
#
# The course's exercise cells follow nbgrader's conventions (see CONTRIBUTING.md, "Adding an exercise"), so
# `nbgrader generate_assignment` and `nbgrader autograde` work on them once nbgrader knows how to
# stub a TypeScript solution. Course layout expected by nbgrader, from this folder:
#   source/<assignment>/<notebook>.ipynb      instructor versions (copy or link from notebooks/)
#   release/, submitted/, autograded/, feedback/   written by nbgrader
# The course kernel must be registered first: `npx dl-by-hand kernel install`.
# The course's own grader (`npx dl-by-hand grade`) reads the same cells and needs no nbgrader.

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "dl-by-hand"

# What replaces `// BEGIN SOLUTION` ... `// END SOLUTION` in the student version; nbgrader has no
# stub for TypeScript. It must match src/course/solutions.ts (SOLUTION_STUB).
c.ClearSolutions.code_stub = {
    "typescript": '// YOUR CODE HERE\nthrow new Error("not implemented");',
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The delimiters are TypeScript comments. nbgrader matches them anywhere in a line and replaces
# the whole line, comment mark included; giving the comment mark keeps prose such as
# "BEGIN SOLUTION" in a markdown cell from being taken for a delimiter.
c.ClearSolutions.begin_solution_delimeter = "// BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "// END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "// BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "// END HIDDEN TESTS"

# Autograding runs every cell in the course kernel. Training cells (09) take longer than
# nbgrader's default of 30 s per cell.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
