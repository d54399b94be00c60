// Run every code cell of some notebooks in Pyodide under Node, as the site's kernel would, and report
// on stdout one JSON line per notebook: {"notebook", "cells", "seconds", "cell_seconds", "errors": [{"cell", "error"}]}.
//
//   node tests/run_in_pyodide.mjs JOB.json
//
// JOB.json: {"pyodide": folder of the verified Pyodide copy, "packages": what the site's kernel
// preloads (lock names and wheel files), "root": folder mounted as the notebooks' drive,
// "notebooks": paths under root, "cells": how many code cells of each to run (null: all)}.  Each notebook runs in a fresh IPython namespace, in its own
// folder, with matplotlib's Agg backend (no browser here).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { loadPyodide } = await import(pathToFileURL(`${job.pyodide}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${job.pyodide}/`, stdout: () => {}, stderr: () => {} });
await pyodide.loadPackage([...job.packages, "ipython"], { messageCallback: () => {} });
pyodide.FS.mkdirTree("/drive");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: job.root }, "/drive");

const runNotebook = pyodide.runPython(`
import json, os, time
os.environ["MPLBACKEND"] = "Agg"
import matplotlib.pyplot as plt
from IPython.core.interactiveshell import InteractiveShell

def run_notebook(path, limit):
    os.chdir(os.path.dirname(os.path.join("/drive", path)))
    with open(os.path.join("/drive", path), encoding="utf-8") as file:
        cells = [c for c in json.load(file)["cells"] if c["cell_type"] == "code"][:limit]
    shell = InteractiveShell.instance()
    shell.reset(new_session=True)
    start, errors, seconds = time.perf_counter(), [], []
    for index, cell in enumerate(cells):
        cell_start = time.perf_counter()
        result = shell.run_cell("".join(cell["source"]), store_history=True, silent=False)
        seconds.append(round(time.perf_counter() - cell_start, 1))
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            errors.append({"cell": index, "error": f"{type(error).__name__}: {error}"[:500]})
        plt.close("all")
    return json.dumps({"notebook": path, "cells": len(cells),
                       "seconds": round(time.perf_counter() - start, 1), "cell_seconds": seconds,
                       "errors": errors})
run_notebook
`);
for (const notebook of job.notebooks) {
  process.stdout.write(runNotebook(notebook, job.cells ?? null) + "\n");
}
