"""Measure the course's speed in one run and write tools/benchmark-report.{json,md}.

    .venv/bin/python tools/benchmark.py [--only engine,chapters,book,grading] [--suite-junit FILE]

Sections (all by default; ``--only`` runs some and keeps the others from the last report):
- engine: one training step of each workload in tools/workloads.py (MLP, CNN, RNN and LSTM language
  models) in dlcore, in PyTorch on the CPU (optional: pip install torch==2.13.0) and in the float64
  reference tools/classic_reference.py, at one BLAS thread, then at two; a warm-up, interleaved repeats,
  medians; achieved GFLOP/s against NumPy's own float32 matrix product at the same thread count;
- chapters: each chapter executed in a fresh kernel (kernel start included) with the course's kernel (BLAS on
  one thread); then beside a process that keeps one core busy, with BLAS at one thread and unlimited; the
  median time of a slider frame (compute and draw) per chapter;
- book: the whole book built from scratch in a temporary copy, then rebuilt from the cache;
- grading: nbgrader autograde of full-solution submissions of every assignment in a temporary course, per
  submission, and extrapolated to a class of 30 learners handing in every assignment;
- suite: ``--suite-junit FILE`` reads the JUnit XML of a test run (``./course test --junitxml=FILE``) and
  sums its time per test file and per chapter.
The report records the machine, NumPy's BLAS, the thread counts, OPENBLAS_CORETYPE and the load average,
which the figures depend on.  The book's appendix 「性能」 shows the Markdown report.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import report
import workloads

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ["PATH"]])}
JSON_REPORT, MARKDOWN_REPORT = ROOT / "tools" / "benchmark-report.json", ROOT / "tools" / "benchmark-report.md"
SECTIONS = ("engine", "chapters", "book", "grading")
CLASS_SIZE = 30
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def machine():
    blas = [f"{info['internal_api']} {info.get('version')} ({info.get('architecture')})"
            for info in threadpool_info() if info["user_api"] == "blas"]
    try:
        import torch
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    return {"processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "numpy": np.__version__, "blas": ", ".join(blas),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "torch": torch_version,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def bench_engine(repeats, steps):
    """workload → threads → implementation → ms per step, plus GFLOP/s against the matmul."""
    implementations = {"dlcore": workloads.dlcore_step, "classic": workloads.classic_step}
    try:
        import torch
        implementations["torch"] = workloads.torch_step
    except ImportError:
        print("PyTorch is not installed (optional: pip install torch==2.13.0); its ratios are left out")
    results = {}
    for threads in (1, 2):
        if "torch" in implementations:
            torch.set_num_threads(threads)
        pause = 0.5 if threads > 1 else 0.0
        with threadpool_limits(limits=threads):
            matmul, matmul_flops = workloads.matmul_step()
            peak = matmul_flops / workloads.interleaved_medians({"matmul": matmul}, 5, repeats)["matmul"] / 1e9
            for workload in workloads.workloads():
                x, t = workloads.make_data(workload)
                steps_by_name = {name: make(workload, x, t) for name, make in implementations.items()}
                seconds = workloads.interleaved_medians(steps_by_name, steps, repeats, pause)
                entry = {f"{name}_ms": s * 1e3 for name, s in seconds.items()}
                entry["gflops"] = workloads.FLOPS[workload] / seconds["dlcore"] / 1e9
                entry["matmul_gflops"] = peak
                results.setdefault(workload, {})[str(threads)] = entry
                print(f"engine {workload:6s} threads={threads}: "
                      + ", ".join(f"{k} {v:.2f}" for k, v in entry.items()), flush=True)
    return results


def execute_chapter(path, one_thread):
    """Seconds to execute one chapter in a fresh kernel, and its slider frame times (ms).

    The course's kernel pins BLAS to one thread (tools/install_kernel.sh); with ``one_thread``
    False the pin is taken out of this kernel's environment.
    """
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json, dlcore.interactive\nprint(json.dumps(dlcore.interactive.frame_seconds))"))
    # A failing cell (a claim that does not hold in this setting) is counted, and the run goes on.
    client = nbclient.NotebookClient(nb, timeout=600, allow_errors=True,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.km = client.create_kernel_manager()
    env = client.km.kernel_spec.env
    for name in ONE_THREAD:
        env.pop(name, None)
        os.environ.pop(name, None)
    if one_thread:
        env.update(ONE_THREAD)
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    frames = json.loads(nb.cells[-1].outputs[0]["text"])
    failed = sum(out.output_type == "error" for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    return seconds, [s * 1e3 for _, s in frames], failed


BUSY_CORE = ("import numpy as np\n"
             "a = np.random.default_rng(0).random((200, 200), dtype=np.float32)\n"
             "while True:\n    a @ a\n")
"""Keeps one core busy with small products, as the other kernel of a parallel book build does."""


def bench_chapters():
    """chapter → seconds with BLAS at one thread and unlimited, alone and beside a busy core; frame medians.

    Alone, each chapter has the machine to itself; beside a busy core (another process
    running small matrix products on one BLAS thread, like the other chapter of the
    book's parallel build or a second notebook), the unlimited BLAS threads compete with it.
    """
    results = {}
    for path in sorted((ROOT / "book").glob("[0-9]*.ipynb")):
        one, frames, failed = execute_chapter(path, one_thread=True)
        busy = subprocess.Popen([sys.executable, "-c", BUSY_CORE], env={**ENV, **ONE_THREAD})
        try:
            busy_one, _, busy_one_failed = execute_chapter(path, one_thread=True)
            busy_unlimited, _, busy_unlimited_failed = execute_chapter(path, one_thread=False)
        finally:
            busy.kill()
            busy.wait()
        results[path.stem] = {"one_thread_s": one, "busy_one_thread_s": busy_one,
                              "busy_unlimited_s": busy_unlimited, "failed_cells": failed,
                              "busy_one_thread_failed_cells": busy_one_failed,
                              "busy_unlimited_failed_cells": busy_unlimited_failed, "frames": len(frames),
                              "frame_median_ms": statistics.median(frames) if frames else None,
                              "frame_max_ms": max(frames) if frames else None}
        print(f"chapter {path.stem}: {one:.1f} s alone; beside a busy core {busy_one:.1f} s (BLAS 1 thread), "
              f"{busy_unlimited:.1f} s (unlimited); slider frame median {results[path.stem]['frame_median_ms']} ms",
              flush=True)
    return results


def timed(command, cwd):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_book(scratch):
    copy = scratch / "book"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "_build", ".cache"))
    build = [sys.executable, "tools/build_book.py"]
    results = {"scratch_s": timed(build, copy), "cached_s": timed(build, copy)}
    print(f"book: from scratch {results['scratch_s']:.1f} s, cached {results['cached_s']:.1f} s", flush=True)
    return results


def bench_grading(scratch, submissions):
    """assignment → autograde seconds for ``submissions`` full solutions, in one nbgrader process."""
    nbgrader = [sys.executable, "-m", "nbgrader"]
    results = {}
    for source in sorted((ROOT / "solutions").iterdir()):
        course = scratch / f"course-{source.name}"
        course.mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(source, course / "solutions" / source.name)
        root = f"--CourseDirectory.root={course}"
        timed([*nbgrader, "generate_assignment", source.name, "--force", root], course)
        for i in range(submissions):
            shutil.copytree(source, course / "submitted" / f"student{i:02d}" / source.name)
        seconds = timed([*nbgrader, "autograde", source.name, root], course)
        results[source.name] = {"submissions": submissions, "seconds": seconds, "per_submission_s": seconds / submissions}
        print(f"autograde {source.name}: {seconds / submissions:.2f} s per submission", flush=True)
    return results


def suite_times(junit):
    """Seconds per test file and per chapter (tests whose id names the chapter) from a JUnit XML file."""
    chapters = sorted(p.stem for p in (ROOT / "book").glob("[0-9]*.ipynb"))
    per_file, per_chapter, total = {}, dict.fromkeys(chapters, 0.0), 0.0
    for case in ElementTree.parse(junit).iter("testcase"):
        seconds = float(case.get("time", 0))
        total += seconds
        name = case.get("classname", "").split(".")[-1] + ".py"
        per_file[name] = per_file.get(name, 0.0) + seconds
        for chapter in chapters:
            if re.search(rf"\b{chapter}\b", case.get("name", "")):
                per_chapter[chapter] += seconds
    tested = {chapter: s for chapter, s in per_chapter.items() if s > 0}     # chapters the run knew
    return {"total_s": total, "per_file_s": per_file, "per_chapter_s": tested}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--submissions", type=int, default=3)
    parser.add_argument("--suite-junit", type=Path, help="JUnit XML of a test run, for the suite section")
    args = parser.parse_args()
    only = [name for name in args.only.split(",") if name]         # --only "" with --suite-junit: the suite alone
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    results = json.loads(JSON_REPORT.read_text()) if JSON_REPORT.exists() else {}
    taken = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "machine": machine()}
    print(taken, flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        runs = {"engine": lambda: bench_engine(args.repeats, args.steps), "chapters": bench_chapters,
                "book": lambda: bench_book(scratch), "grading": lambda: bench_grading(scratch, args.submissions)}
        for section in SECTIONS:
            if section in only:
                results[section] = {**taken, "results": runs[section](),
                                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    if args.suite_junit:
        run = next(ElementTree.parse(args.suite_junit).iter("testsuite"))
        results["suite"] = {"date": run.get("timestamp", "")[:16].replace("T", " "),
                            "machine": {**taken["machine"], "load_average_at_start": None},
                            "results": suite_times(args.suite_junit)}
    JSON_REPORT.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    MARKDOWN_REPORT.write_text(report.markdown(results, CLASS_SIZE))
    print(f"wrote {JSON_REPORT.relative_to(ROOT)} and {MARKDOWN_REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
