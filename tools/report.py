"""The Markdown report of tools/benchmark.py (shown in the book's appendix 「性能」), with the targets."""

import statistics

NAMES = {"mlp": "MLP 784-100-100-10", "cnn": "CNN (畳み込み 30 × 5 × 5)", "rnnlm": "RNN 言語モデル",
         "lstm": "LSTM 層"}
TORCH_TARGETS = {("mlp", "1"): 0.8, ("mlp", "2"): 0.8, ("cnn", "1"): 1.0, ("cnn", "2"): 1.5,
                 ("rnnlm", "1"): 1.3, ("rnnlm", "2"): 1.3, ("lstm", "1"): 2.0, ("lstm", "2"): 2.0}
CHAPTER_LIMIT_S, SLIDER_LIMIT_MS, SUBMISSION_LIMIT_S = 60, 100, 4
BOOK_SCRATCH_LIMIT_S, BOOK_CACHED_LIMIT_S = 300, 20
SUITE_LIMIT_S, FINISHED_COURSE_CHAPTERS, PER_CHAPTER_LIMIT_S = 1800, 20, 75


def verdict(value, limit):
    return "達成" if value <= limit else "**未達**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def taken(section):
    m = section["machine"]
    return (f"計測: {section['date']}、{m['processor']}、{m['cpus']} コア、NumPy {m['numpy']} ({m['blas']})、"
            f"OPENBLAS_CORETYPE={m['openblas_coretype'] or '(未設定)'}、PyTorch {m['torch'] or '(なし)'}、"
            + (f"ロードアベレージ (1 分、5 分、15 分) 開始時 {m['load_average_at_start']}"
               + (f"、終了時 {section['load_average_at_end']}" if "load_average_at_end" in section else "")
               if m["load_average_at_start"] is not None else "ロードアベレージは記録なし") + "。\n")


def engine(section):
    rows = []
    for workload, by_threads in section["results"].items():
        for threads, r in by_threads.items():
            ratio = "—"
            if "torch_ms" in r:
                value = r["dlcore_ms"] / r["torch_ms"]
                limit = TORCH_TARGETS.get((workload, threads))
                ratio = f"{value:.2f}× (≤ {limit}× {verdict(value, limit)})" if limit else f"{value:.2f}×"
            faster = r["classic_ms"] / r["dlcore_ms"]
            rows.append([NAMES[workload], threads, f"{r['dlcore_ms']:.2f}",
                         f"{r['torch_ms']:.2f}" if "torch_ms" in r else "—", ratio,
                         f"{r['classic_ms']:.2f} ({faster:.1f} 倍 {verdict(1, faster)})",
                         f"{r['gflops']:.0f} / {r['matmul_gflops']:.0f}"])
    return ("## エンジン: 学習 1 ステップの時間\n\n" + taken(section) + "\n"
            + "PyTorch 比は dlcore の時間 ÷ PyTorch (CPU) の時間です (小さいほど速く、括弧内は目標)。参照は float64 で"
              "時刻やカーネル位置を Python のループで回す、よくある書き方の時間で、括弧内は dlcore がその何倍速いかです。"
              "GFLOP/s は行列積の演算量を dlcore の時間で割った値と、同じスレッド数での NumPy の float32 行列積"
              " (1000 × 1000) の値です。\n\n"
            + table(["処理", "スレッド", "dlcore ms", "PyTorch ms", "PyTorch 比", "参照 ms",
                     "GFLOP/s (dlcore / 行列積)"], rows))


def chapters(section):
    rows = []
    results = section["results"]
    for name, r in results.items():
        def seconds(key, failed):
            return f"{r[key]:.1f}" + (f" (失敗したセル {r[failed]})" if r[failed] else "")

        rows.append([name, seconds("one_thread_s", "failed_cells"), verdict(r["one_thread_s"], CHAPTER_LIMIT_S),
                     seconds("busy_one_thread_s", "busy_one_thread_failed_cells"),
                     seconds("busy_unlimited_s", "busy_unlimited_failed_cells"), r["frames"],
                     f"{r['frame_median_ms']:.0f}" if r["frames"] else "—",
                     f"{r['frame_max_ms']:.0f}" if r["frames"] else "—",
                     verdict(r["frame_median_ms"], SLIDER_LIMIT_MS) if r["frames"] else "—"])
    totals = [sum(r[key] for r in results.values()) for key in ("one_thread_s", "busy_one_thread_s", "busy_unlimited_s")]
    rows.append(["合計", f"{totals[0]:.1f}", "", f"{totals[1]:.1f}", f"{totals[2]:.1f}", "", "", "", ""])
    return ("## 章の実行時間とスライダーの応答\n\n" + taken(section) + "\n"
            + "各章を新しいカーネルで上から実行した時間 (カーネルの起動を含む) です。「単独」は講座のカーネル (BLAS 1 "
              "スレッド) で計算機をほかに使わずに、「隣が計算中」は 1 つのコアを小さな行列積で使い続ける別のプロセス"
              "の横で (本のビルドで 2 つの章を同時に実行するとき、ノートブックを 2 つ開いたときと同じ状況です)、BLAS を "
              "1 スレッドにした場合と制限しない場合を測りました。本の主張を確かめるセル (時間の比較など) が失敗したときは、"
              "その数を添えます。コマの時間は、スライダーの 1 コマを計算して描く (図を"
              "作って PNG にする) 時間の中央値と最大値です。スライダーは、セルを実行したときにすべてのコマを描いておき、"
              "動かしたときにはそのコマを表示するだけなので、JupyterLab でも静的な本でも、動かしてから図が変わるまでの"
              f"時間はこれより短くなります (目標: 章 {CHAPTER_LIMIT_S} 秒以内、1 コマの中央値 {SLIDER_LIMIT_MS} ms 以内)。\n\n"
            + table(["章", "単独 s", "60 秒以内", "隣が計算中・BLAS 1 スレッド s", "隣が計算中・制限なし s", "コマ数",
                     "コマの中央値 ms", "最大 ms", "100 ms 以内"], rows))


def book(section):
    r = section["results"]
    return ("## 本のビルド\n\n" + taken(section) + "\n"
            + table(["ビルド", "秒", "目標"],
                    [["空の状態から (全章を実行)", f"{r['scratch_s']:.1f}",
                      f"≤ {BOOK_SCRATCH_LIMIT_S} s {verdict(r['scratch_s'], BOOK_SCRATCH_LIMIT_S)}"],
                     ["変更なしの再ビルド (キャッシュ)", f"{r['cached_s']:.1f}",
                      f"≤ {BOOK_CACHED_LIMIT_S} s {verdict(r['cached_s'], BOOK_CACHED_LIMIT_S)}"]]))


def grading(section, class_size):
    results = section["results"]
    rows = [[name, r["submissions"], f"{r['per_submission_s']:.2f}",
             verdict(r["per_submission_s"], SUBMISSION_LIMIT_S)] for name, r in results.items()]
    per_learner = sum(r["per_submission_s"] for r in results.values())
    return ("## 採点 (nbgrader autograde)\n\n" + taken(section) + "\n"
            + "満点の提出を課題ごとに 1 つの nbgrader プロセスで採点した、提出 1 件あたりの時間です。\n\n"
            + table(["課題", "提出数", "1 件あたり s", f"{SUBMISSION_LIMIT_S} 秒以内"], rows) + "\n"
            + f"受講者 1 人の全課題: {per_learner:.0f} 秒。{class_size} 人のクラスの全課題 (外挿): "
              f"1 プロセスで {class_size * per_learner / 60:.0f} 分、2 コアで 2 プロセスに分けると約 "
              f"{class_size * per_learner / 120:.0f} 分。\n")


def suite(section, book_section):
    r = section["results"]
    files = sorted(r["per_file_s"].items(), key=lambda item: -item[1])
    per_chapter = r["per_chapter_s"]
    n = len(per_chapter)
    named = statistics.mean(per_chapter.values()) if per_chapter else 0.0
    # The book is built once per run, inside the first test that needs it; its time is taken from the
    # benchmark's own build from scratch and shared out over the chapters.
    book_s = book_section["results"]["scratch_s"] if book_section else 0.0
    cost = named + book_s / n
    fixed = r["total_s"] - sum(per_chapter.values()) - book_s
    projected = fixed + FINISHED_COURSE_CHAPTERS * cost
    return ("## テストスイート (`./course test`)\n\n" + taken(section) + "\n"
            + table(["テストファイル", "秒"], [[name, f"{s:.0f}"] for name, s in files]) + "\n"
            + table(["章", "章の名前を含むテストの秒"], [[name, f"{s:.0f}"] for name, s in per_chapter.items()])
            + "\n"
            + f"合計 {r['total_s']:.0f} 秒 ({n} 章)。本のビルドは、それを最初に使うテストの時間に入っています。1 章が"
              f"増えるごとの費用は、章の名前を含むテスト (採点、ブラウザー) の平均 {named:.0f} 秒に、本のビルド (上の"
              f"「本のビルド」の空の状態から、{book_s:.0f} 秒) の 1 章分を足した約 {cost:.0f} 秒です (目標 "
              f"{PER_CHAPTER_LIMIT_S} 秒 {verdict(cost, PER_CHAPTER_LIMIT_S)})。章によらない部分 (エンジン、"
              f"敵対的な提出、受け渡し、Binder) の {fixed:.0f} 秒と合わせた {FINISHED_COURSE_CHAPTERS} 章での見積もり"
              f"は約 {projected / 60:.0f} 分です (目標 {SUITE_LIMIT_S // 60} 分 {verdict(projected, SUITE_LIMIT_S)})。\n")


def markdown(results, class_size):
    parts = ["<!-- tools/benchmark.py が書き出すファイルです。手で編集しないでください。 -->\n"]
    for name, render in (("engine", engine), ("chapters", chapters), ("book", book),
                         ("grading", lambda s: grading(s, class_size)),
                         ("suite", lambda s: suite(s, results.get("book")))):
        if name in results:
            parts.append(render(results[name]))
    return "\n".join(parts)
