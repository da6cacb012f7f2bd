# Scan mode: `attrament scan` per chunk of long targets (site records as JSON lines, BED, the
# per-position tracks if asked, a FILE.meta.json beside each), merged into sites.jsonl,
# sites.bed and tracks.tsv. Each job is given split.json (--split): unnamed targets are numbered
# from the chunk's first record, as in one run of the whole input.

SCAN_OUTPUTS = ["jsonl", "bed"] + (["tsv"] if _flag("tracks") else [])


rule scan_chunk:
    input:
        chunk=OUT + "/split/{chunk}" + CHUNK_EXT,
        manifest=OUT + "/split/split.json",
        **CHUNK_SHARED,
    output:
        sites=OUT + "/chunks/{chunk}.sites.jsonl",
        bed=OUT + "/chunks/{chunk}.sites.bed",
        metas=[OUT + "/chunks/{chunk}.sites." + ext + ".meta.json" for ext in SCAN_OUTPUTS],
        tracks=[OUT + "/chunks/{chunk}.sites.tsv"] if _flag("tracks") else [],
    log:
        OUT + "/logs/scan/{chunk}.log",
    threads: THREADS
    resources:
        **job_resources("scan"),
    params:
        cmd=ATTRAMENT,
        input=lambda wildcards, input: chunk_input_args(input.chunk),
        options=model_args(),
        tracks=lambda wildcards, output: ("--tracks " + shlex.quote(output.tracks[0])) if output.tracks else "",
    shell:
        "{params.cmd} scan {params.input} {params.options} --json"
        " --out {output.sites:q} --bed {output.bed:q} {params.tracks} --meta --split {input.manifest:q} 2> {log:q}"


rule merge_scan:
    input:
        manifest=OUT + "/split/split.json",
        sites=expand(OUT + "/chunks/{chunk}.sites.jsonl", chunk=CHUNK_IDS),
        bed=expand(OUT + "/chunks/{chunk}.sites.bed", chunk=CHUNK_IDS),
        metas=expand(OUT + "/chunks/{chunk}.sites.{ext}.meta.json", chunk=CHUNK_IDS, ext=SCAN_OUTPUTS),
    output:
        sites=OUT + "/sites.jsonl",
        bed=OUT + "/sites.bed",
    log:
        OUT + "/logs/merge_scan.log",
    params:
        cmd=ATTRAMENT,
    shell:
        "({params.cmd} merge {input.sites:q} --split {input.manifest:q} --out {output.sites:q}"
        " && {params.cmd} merge {input.bed:q} --split {input.manifest:q} --out {output.bed:q}) 2> {log:q}"


rule merge_tracks:
    input:
        manifest=OUT + "/split/split.json",
        tracks=expand(OUT + "/chunks/{chunk}.sites.tsv", chunk=CHUNK_IDS),
    output:
        OUT + "/tracks.tsv",
    log:
        OUT + "/logs/merge_tracks.log",
    params:
        cmd=ATTRAMENT,
    shell:
        "{params.cmd} merge {input.tracks:q} --split {input.manifest:q} --out {output:q} 2> {log:q}"
