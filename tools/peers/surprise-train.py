#!/usr/bin/env python3
"""Surprise's SVD fit on a MovieLens ratings file, timed: the peer of reelrank's train stage.

    pip install scikit-surprise
    python3 tools/peers/surprise-train.py --ratings DIR/ratings.csv [--factors 100] [--epochs 20]
        [--test CSV | --test-size 0.2] [--seed 42] [--lr-all F] [--reg-all F] [--data NAME] [--json PATH]

Reads the CSV (userId,movieId,rating,timestamp with a header line) with Surprise's own reader and
builds its trainset (the whole file, or with --test-size the train part of train_test_split), then
fits SVD (biased matrix factorisation by SGD, one thread) for --epochs epochs at --factors factors.
Times, in this process: reading + building the trainset, the fit alone, their sum; CPU seconds
(user + system); peak RSS (getrusage). With --test (a fixed split's test.csv, read after the
timings) or --test-size, the test RMSE of the fitted model.

Prints one JSON record in the shape of the other benchmarks' result files (benchmark, command,
date, commit, machine, results) and, with --json PATH, writes it there: a row for the same data,
factors, epochs and split replaces the old one, the file's other rows are kept, so one file holds a
row per size (`npm run bench:charts` draws docs/benchmarks/surprise-train.json).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Times Surprise's SVD fit on a MovieLens ratings CSV.")
    parser.add_argument("--ratings", required=True, help="ratings CSV: userId,movieId,rating,timestamp with a header line")
    parser.add_argument("--factors", type=int, default=100, help="SVD n_factors (Surprise's default: 100)")
    parser.add_argument("--epochs", type=int, default=20, help="SVD n_epochs (Surprise's default: 20)")
    parser.add_argument("--test", default=None, help="a test CSV of the same format (a fixed split's test.csv): its RMSE is reported")
    parser.add_argument("--test-size", type=float, default=0.0, help="hold out this share for a test RMSE (0: fit on every rating)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the split and of SVD's initial factors")
    parser.add_argument("--lr-all", type=float, default=None, help="SVD lr_all (Surprise's default when left out)")
    parser.add_argument("--reg-all", type=float, default=None, help="SVD reg_all (Surprise's default when left out)")
    parser.add_argument("--data", default=None, help="what the file is, for the record (default: its folder's name)")
    parser.add_argument("--json", default=None, help="the record file to write or update")
    args = parser.parse_args(argv)
    if args.factors < 1 or args.epochs < 1:
        parser.error("--factors and --epochs take positive integers")
    if not 0.0 <= args.test_size < 1.0:
        parser.error("--test-size takes a share in [0, 1)")
    if args.test and args.test_size > 0:
        parser.error("--test and --test-size exclude each other")
    for flag, path in (("--ratings", args.ratings), ("--test", args.test)):
        if path is not None and not os.path.isfile(path):
            parser.error(f"{flag}: {path} does not exist")
    return args


def command_of(argv):
    return " ".join(["python3", "tools/peers/surprise-train.py", *argv])


def commit_of():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        root = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=here, capture_output=True, text=True, check=True).stdout.strip()
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        # As commitOf in tools/lib/bench-record.ts: result files and the page drawn from them are not code.
        status = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks", ":!docs/benchmarks.md"]
        dirty = subprocess.run(status, cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        return f"{head}+dirty" if dirty else head
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_of(surprise_version):
    machine = {"cpus": os.cpu_count(), "platform": f"{sys.platform}-{platform.machine()}", "python": platform.python_version(), "surprise": surprise_version}
    try:
        with open("/proc/cpuinfo", encoding="utf8") as info:
            models = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        if models:
            machine["cpuModel"] = models[0]
        with open("/proc/meminfo", encoding="utf8") as info:
            kib = next(int(line.split()[1]) for line in info if line.startswith("MemTotal:"))
        machine["memoryGiB"] = round(kib / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return machine


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fit(args):
    """Reads, builds the trainset and fits: the row of the record (the figures of this run)."""
    import surprise
    from surprise import SVD, Dataset, Reader, accuracy
    from surprise.model_selection import train_test_split

    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    reader = Reader(line_format="user item rating timestamp", sep=",", skip_lines=1, rating_scale=(0.5, 5.0))
    data = Dataset.load_from_file(args.ratings, reader=reader)
    if args.test_size > 0:
        trainset, testset = train_test_split(data, test_size=args.test_size, random_state=args.seed)
    else:
        trainset, testset = data.build_full_trainset(), None
    read_seconds = time.perf_counter() - wall0

    settings = {"n_factors": args.factors, "n_epochs": args.epochs, "random_state": args.seed}
    if args.lr_all is not None:
        settings["lr_all"] = args.lr_all
    if args.reg_all is not None:
        settings["reg_all"] = args.reg_all
    algo = SVD(**settings)
    fit0 = time.perf_counter()
    algo.fit(trainset)
    fit_seconds = time.perf_counter() - fit0
    total_seconds = time.perf_counter() - wall0
    cpu = cpu_seconds() - cpu0
    # Linux reports ru_maxrss in KiB: KiB / 2^20 = GiB.
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    if args.test:
        testset = Dataset.load_from_file(args.test, reader=reader).build_full_trainset().build_testset()

    row = {
        "data": args.data or os.path.basename(os.path.dirname(os.path.abspath(args.ratings))),
        "ratings": trainset.n_ratings,
        "users": trainset.n_users,
        "movies": trainset.n_items,
        "split": split_of(args),
        "algorithm": "SVD",
        "factors": args.factors,
        "epochs": args.epochs,
        "threads": 1,
        "timed": "Surprise's SVD fit alone (fitSeconds); readSeconds: reading the CSV and building the trainset",
        "readSeconds": round(read_seconds, 3),
        "fitSeconds": round(fit_seconds, 3),
        "secondsPerEpoch": round(fit_seconds / args.epochs, 3),
        "totalSeconds": round(total_seconds, 3),
        "cpuSeconds": round(cpu, 3),
        "peakRssGiB": round(peak_gib, 2),
    }
    if args.lr_all is not None:
        row["lrAll"] = args.lr_all
    if args.reg_all is not None:
        row["regAll"] = args.reg_all
    if testset:
        row["testRmse"] = round(float(accuracy.rmse(algo.test(testset), verbose=False)), 4)
    return row, surprise.__version__


def split_of(args):
    if args.test:
        return f"fitted on {os.path.basename(args.ratings)}, scored on {os.path.basename(args.test)}"
    if args.test_size > 0:
        return f"train part of train_test_split(test_size={args.test_size}, random_state={args.seed})"
    return "every rating"


def same_run(a, b):
    keys = ("data", "ratings", "factors", "epochs", "lrAll", "regAll", "split")
    return all(a.get(k) == b.get(k) for k in keys)


def merged(path, record):
    """The record with the other rows of the file at `path` kept (a row of the same run replaced)."""
    if not path or not os.path.exists(path):
        return record
    with open(path, encoding="utf8") as old:
        previous = json.load(old)
    new_row = record["results"]["rows"][0]
    rows = [row for row in previous.get("results", {}).get("rows", []) if not same_run(row, new_row)]
    rows.append(new_row)
    rows.sort(key=lambda row: (row["ratings"], row.get("factors") or 0, row.get("epochs") or 0))
    return {**record, "results": {**previous.get("results", {}), "rows": rows}}


def write_atomic(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".surprise-train-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf8") as out:
        out.write(text)
    os.replace(temp, path)


def main(argv):
    args = parse_args(argv)
    try:
        row, version = fit(args)
    except ImportError:
        print("surprise-train: Surprise is not installed (pip install scikit-surprise)", file=sys.stderr)
        return 2
    command = command_of(argv)
    date = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    machine = machine_of(version)
    row = {**row, "source": f"measured with Surprise {version}", "command": command, "date": date, "machine": machine}
    record = {"benchmark": "surprise-train", "command": command, "date": date, "commit": commit_of(), "machine": machine, "results": {"rows": [row]}}
    record = merged(args.json, record)
    text = json.dumps(record, indent=2) + "\n"
    print(text, end="")
    if args.json:
        write_atomic(args.json, text)
        print(f"- recorded in {args.json} (draw it with `npm run bench:charts`)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
