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

# Autograding a class: a copied graded cell must not stop the batch, a deleted
# test cell is put back and run, long output is cut, and code that tampers with
# grading fails the notebook's tests (see dlcore/autograding.py).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "dlcore.autograding.DeduplicateGradeIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "dlcore.autograding.LimitOutputLength",
    "dlcore.autograding.RejectTampering",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True
