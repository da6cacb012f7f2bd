# Explain mode: `attrament explain` per chunk (records as JSON lines, the attribution array, and
# a FILE.meta.json beside each), merged into explain.jsonl and attributions.npy. Each job is given
# split.json (--split): its records are numbered, and seeded methods draw, from the chunk's first
# record, as in one run of the whole input.


rule explain_chunk:
    input:
        chunk=OUT + "/split/{chunk}" + CHUNK_EXT,
        manifest=OUT + "/split/split.json",
        **CHUNK_SHARED,
    output:
        records=OUT + "/chunks/{chunk}.jsonl",
        npy=OUT + "/chunks/{chunk}.npy",
        records_meta=OUT + "/chunks/{chunk}.jsonl.meta.json",
        npy_meta=OUT + "/chunks/{chunk}.npy.meta.json",
    log:
        OUT + "/logs/explain/{chunk}.log",
    threads: THREADS
    resources:
        **job_resources("explain"),
    params:
        cmd=ATTRAMENT,
        input=lambda wildcards, input: chunk_input_args(input.chunk),
        options=model_args() + " --method " + shlex.quote(_text("method") or "deepshap"),
    shell:
        "{params.cmd} explain {params.input} {params.options} --json"
        " --out {output.records:q} --npy {output.npy:q} --meta --split {input.manifest:q} 2> {log:q}"


rule merge_explain:
    input:
        manifest=OUT + "/split/split.json",
        records=expand(OUT + "/chunks/{chunk}.jsonl", chunk=CHUNK_IDS),
        npy=expand(OUT + "/chunks/{chunk}.npy", chunk=CHUNK_IDS),
        metas=expand(OUT + "/chunks/{chunk}.{ext}.meta.json", chunk=CHUNK_IDS, ext=("jsonl", "npy")),
    output:
        records=OUT + "/explain.jsonl",
        npy=OUT + "/attributions.npy",
    log:
        OUT + "/logs/merge_explain.log",
    params:
        cmd=ATTRAMENT,
    shell:
        "({params.cmd} merge {input.records:q} --split {input.manifest:q} --out {output.records:q}"
        " && {params.cmd} merge {input.npy:q} --split {input.manifest:q} --out {output.npy:q}) 2> {log:q}"


rule classes:
    input:
        OUT + "/explain.jsonl",
    output:
        table=OUT + "/classes.tsv",
        figure=OUT + "/classes.png",
    log:
        OUT + "/logs/classes.log",
    params:
        cmd=ATTRAMENT,
    shell:
        "{params.cmd} classes {input:q} --out {output.table:q} --figure {output.figure:q} > {log:q} 2>&1"


rule report:
    input:
        npy=OUT + "/attributions.npy",
        **SPLIT_INPUTS,
    output:
        OUT + "/report.html",
    log:
        OUT + "/logs/report.log",
    params:
        cmd=ATTRAMENT,
        input=SPLIT_ARGS.replace(" --long-targets", ""),
    shell:
        "{params.cmd} report {params.input} --attributions {input.npy:q} --out {output:q} 2> {log:q}"
