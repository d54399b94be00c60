"""nbgrader configuration.  Run nbgrader from the repository root (the course root)."""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Japanese stubs in the released notebooks.
c.ClearSolutions.code_stub = {
    "python": "# ここにコードを書いてください\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "ここに解答を書いてください。"

# Training cells may take longer than the 30 s default.
c.Execute.timeout = 300

# Feedback shows results, never hidden test source.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
