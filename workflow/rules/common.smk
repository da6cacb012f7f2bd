# Configuration, the attrament command and per-job sizing, shared by the rules.


def _text(key):
    value = config.get(key)
    return "" if value is None else str(value).strip()


def _flag(key):
    value = config.get(key, False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _positive_int(key):
    value = config.get(key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or str(number) != str(value).strip():
        raise WorkflowError(f"config: {key} must be a positive integer, got {value!r}")
    return number


MODE = _text("mode") or "explain"
if MODE not in ("explain", "scan"):
    raise WorkflowError(f"config: mode must be explain or scan, got {MODE!r}")
PAIRS = _text("pairs")
MIRNAS = _text("mirnas")
TARGETS = _text("targets")
if bool(PAIRS) == bool(MIRNAS or TARGETS) or bool(MIRNAS) != bool(TARGETS):
    raise WorkflowError("config: give either pairs=FILE, or mirnas=FASTA with targets=FASTA")
CHUNKS = _positive_int("chunks")
THREADS = _positive_int("threads")
OUT = (_text("outdir") or "results").rstrip("/")


def _attrament():
    """`attrament` on PATH, else this checkout's CLI (built by `npm ci`)."""
    command = _text("attrament")
    if command:
        return command
    if shutil.which("attrament"):
        return "attrament"
    return "node " + shlex.quote(os.path.join(ROOT, "bin", "attrament.js"))


ATTRAMENT = _attrament()
# The chunk files' names, as the split writes them (any names would do: the split takes the list).
CHUNK_IDS = [f"chunk-{k + 1:0{max(4, len(str(CHUNKS)))}d}" for k in range(CHUNKS)]
CHUNK_EXT = ".tsv" if PAIRS else ".fa"
SPLIT_INPUTS = {"pairs": PAIRS} if PAIRS else {"mirnas": MIRNAS, "targets": TARGETS}
SPLIT_ARGS = (
    (shlex.quote(PAIRS) if PAIRS else f"{shlex.quote(MIRNAS)} --targets {shlex.quote(TARGETS)}")
    + (" --long-targets" if MODE == "scan" else "")
)
# What every explain/scan job reads besides its chunk: the miRNA FASTA of FASTA × FASTA input.
CHUNK_SHARED = {} if PAIRS else {"mirnas": MIRNAS}


def chunk_input_args(chunk_file):
    """The input arguments of one chunk's job."""
    if PAIRS:
        return shlex.quote(chunk_file)
    return f"{shlex.quote(MIRNAS)} --targets {shlex.quote(chunk_file)}"


def model_args():
    args = ["--model", _text("model") or "mirbind", "--engine", _text("engine") or "onnx", "--threads", str(THREADS)]
    background = _text("background")
    if background:
        args += ["--background", background]
    line = " ".join(shlex.quote(a) for a in args)
    extra = _text("extra")
    return line + (" " + extra if extra else "")


# --- Sizing: from figures measured on the development machine (README "Scale out") -----------
# Peak RSS of one job (onnxruntime-node, DeepSHAP with the paper's 100 background pairs), MB, by
# /usr/bin/time -v: 815 (explain, 96 CLASH pairs, 1 or 2 threads), 826 (scan, default site caller).
PEAK_RSS_MB = {"explain": 820, "scan": 830}
# Throughput of one job by its threads: explain pairs/s (3.7-4.4 per CPU-second measured; 7.0
# at 2 threads in the quiet benchmark) and scan windows/s (135 per CPU-second: the default site
# caller on 5 sequences of artificial_genes.csv, 2,855 windows of which 3 % explained).
PAIRS_PER_S = {1: 3.7, 2: 7.0}
WINDOWS_PER_S = {1: 135.0, 2: 250.0}
# Asked for: measured peak × 1.5, runtime at half the measured speed, at least 10 minutes.
MEM_MARGIN = 1.5
TIME_MARGIN = 2.0


def _rate(table):
    return table.get(THREADS) or table[2] * THREADS / 2


def _count_input():
    """Pairs and scan windows of the whole input (0 when it cannot be read yet)."""

    def fasta_lengths(file):
        lengths, current = [], None
        with open(file, encoding="utf-8-sig") as handle:
            for line in handle:
                line = line.strip()
                if line.startswith(">"):
                    if current is not None:
                        lengths.append(current)
                    current = 0
                elif line and not line.startswith(";") and current is not None:
                    current += len(line)
        if current is not None:
            lengths.append(current)
        return lengths

    try:
        if PAIRS:
            with open(PAIRS, encoding="utf-8-sig") as handle:
                lines = [line.rstrip("\r\n") for line in handle if line.strip()]
            sep = "\t" if "\t" in lines[0] else ","
            header = [name.strip().strip('"').lower() for name in lines[0].split(sep)]
            column = next((header.index(n) for n in ("gene", "target") if n in header), 1)
            fields = [line.split(sep) for line in lines[1:]]
            lengths = [len(f[column].strip().strip('"')) if len(f) > column else 50 for f in fields]
            return len(lengths), sum(max(1, n - 49) for n in lengths)
        mirnas = len(fasta_lengths(MIRNAS))
        targets = fasta_lengths(TARGETS)
        return mirnas * len(targets), mirnas * sum(max(1, n - 49) for n in targets)
    except (OSError, IndexError, UnicodeDecodeError):
        return 0, 0


TOTAL_PAIRS, TOTAL_WINDOWS = _count_input()


def job_resources(kind):
    """mem_mb and runtime (minutes) of one chunk's job."""
    if kind == "explain":
        seconds = TOTAL_PAIRS / CHUNKS / _rate(PAIRS_PER_S)
    else:
        seconds = TOTAL_WINDOWS / CHUNKS / _rate(WINDOWS_PER_S)
    return {
        "mem_mb": int(math.ceil(PEAK_RSS_MB[kind] * MEM_MARGIN / 100.0) * 100),
        "runtime": max(10, int(math.ceil(seconds * TIME_MARGIN / 60.0))),
    }


if MODE == "explain":
    FINAL_OUTPUTS = [OUT + "/explain.jsonl", OUT + "/attributions.npy"]
    if _flag("classes"):
        FINAL_OUTPUTS += [OUT + "/classes.tsv", OUT + "/classes.png"]
    if _flag("report"):
        FINAL_OUTPUTS += [OUT + "/report.html"]
else:
    FINAL_OUTPUTS = [OUT + "/sites.jsonl", OUT + "/sites.bed"]
    if _flag("tracks"):
        FINAL_OUTPUTS += [OUT + "/tracks.tsv"]


wildcard_constraints:
    chunk="chunk-[0-9]+",
