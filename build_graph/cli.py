"""The ``powerkg`` command line. Exit codes: 0 success, 1 findings that fail a check, 2 error."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import export
from .data import MissingData
from .publish import OutputError, require_complete_build

# the readers, citations and validation are imported by the commands that use them: ``build``
# starts its workers' server first, so that the server's imports run beside this process's

DEFAULT_OUTPUT = Path("output")  # relative to the working directory, like any command's output


def _lists(args):
    from .corpus import load_lists

    return load_lists(args.lists, args.layout, args.authority, args.date)


def _iso_date(text: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is no date of the form YYYY-MM-DD") from None


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_export(args) -> int:
    lists = _lists(args)
    if args.what == "records":
        rows, columns = export.record_rows(lists), export.RECORD_COLUMNS
    elif args.what == "findings":
        rows, columns = export.finding_rows(lists), export.FINDING_COLUMNS
    else:
        from .citations.export import citation_rows, CITATION_COLUMNS
        rows, columns = citation_rows(lists), CITATION_COLUMNS
    text = export.to_json(rows) if args.format == "json" else export.to_csv(rows, columns)
    sys.stdout.write(text)
    return 0


def cmd_cite(args) -> int:
    from .citations.export import cite_rows

    text = sys.stdin.read() if args.text in (None, "-") else args.text
    sys.stdout.write(export.to_json(cite_rows(text, on=args.date)))
    return 0


def cmd_build(args) -> int:
    from .corpus import list_jobs
    from .stream import stream_build

    out = Path(args.output)
    jobs = list_jobs(args.lists, args.authority, args.date)
    _progress(f"reading, citing, checking and emitting {len(jobs)} list(s) one at a time…")
    result = stream_build(jobs, args.layout, out, _progress, workers=args.workers, cache=not args.no_cache)
    for entry in result["lists"]:
        _progress(f"  {entry['list']}: {entry['powers']} powers, {entry['citations']} citations "
                  f"({entry['unresolved_citations']} unresolved), findings {entry['findings']}")
    _progress(f"done: {result['quads']} quads in {out}")
    return 0


def cmd_compare(args) -> int:
    import json

    from .compare import align, comparison_rows, CSV_COLUMNS, entries_of
    from .corpus import list_jobs
    from .pages import comparison_page
    from .site_db import SiteDB
    from .publish import write_atomically
    from .stream import build_list

    jobs = list_jobs(args.lists, args.authority, args.date)
    if len(jobs) != 2:
        raise CliError(f"compare takes two lists (or none: the two bundled lists); got {len(jobs)}")
    db, ids = SiteDB(), []
    for file, meta in jobs:
        output = build_list(file, meta, args.layout)
        if not output.power_list.records:
            raise CliError(f"{file}: no power items read; nothing to compare")
        db.add(output.fragment)
        ids.append(output.power_list.list_id)
    if ids[0] == ids[1]:
        raise CliError(f"both lists have the id {ids[0]!r}; give files of two different lists")
    comparison = align(entries_of(db, ids[0]), entries_of(db, ids[1]))
    if args.format == "json":
        text = json.dumps(comparison.as_dict(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = export.to_csv(comparison_rows(comparison), CSV_COLUMNS)
    else:
        text = comparison_page(comparison)
    if args.output:
        write_atomically(Path(args.output), text)
        _progress(f"{len(comparison.pairs)} pairs, {len(comparison.only_in_a)} only in {ids[0]}, "
                  f"{len(comparison.only_in_b)} only in {ids[1]} → {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_validate(args) -> int:
    import pyoxigraph as ox

    from .graph_files import NQUADS_MAX_QUADS
    from .validate import FORMATS, data_graph, load_shapes, validate, validate_store
    from .validate_sparql import Unsupported

    data_file = Path(args.data) if args.data else _built(args, "graph.nq")
    # a build too large for graph.nq (graph_files) is validated on its store
    on_store = not args.data and not data_file.exists() and (data_file.parent / "store").is_dir()
    if not data_file.exists() and not on_store:
        raise CliError(f"{data_file} does not exist; run `powerkg build` first or give --data")
    if on_store and args.engine == "pyshacl":
        raise CliError(f"{data_file.parent} has no graph.nq (a build of more than {NQUADS_MAX_QUADS} quads): "
                       "validate its store with --engine sparql, or give --data")
    shapes = load_shapes([Path(p) for p in args.shapes] if args.shapes else None)
    if args.engine != "pyshacl":
        try:
            store = ox.Store.read_only(str(data_file.parent / "store")) if on_store else _store_of(data_file)
            report = validate_store(store, shapes)
        except Unsupported as exc:
            if args.engine == "sparql" or on_store:
                raise CliError(f"the shapes cannot be compiled to SPARQL: {exc}") from exc
            _progress(f"powerkg: the shapes use a feature the SPARQL engine lacks ({exc}); validating with pyshacl")
        else:
            sys.stdout.write(FORMATS[args.format](report))
            return 0 if report.violations == 0 else 1
    try:
        if data_file.suffix in (".nq", ".trig"):
            data = data_graph(data_file.read_bytes())
        else:
            import rdflib
            data = rdflib.Graph().parse(data_file)
    except Exception as exc:  # rdflib raises many types; its message names the line
        raise CliError(f"cannot read {data_file}: {exc}") from exc
    report = validate(data, shapes)
    sys.stdout.write(FORMATS[args.format](report))
    return 0 if report.violations == 0 else 1


def _store_of(data_file: Path):
    """An in-memory pyoxigraph store of an RDF file (its format from its extension)."""
    import pyoxigraph as ox

    rdf_format = ox.RdfFormat.from_extension(data_file.suffix.lstrip(".") or "nq")
    if rdf_format is None:
        raise CliError(f"{data_file}: unknown RDF format (use .nq, .trig, .ttl, .nt or .rdf)")
    store = ox.Store()
    try:
        store.bulk_load(path=str(data_file), format=rdf_format)
    except (SyntaxError, ValueError, OSError) as exc:  # pyoxigraph's message names line and column
        raise CliError(f"cannot read {data_file}: {exc}") from exc
    return store


class CliError(Exception):
    """An error the command reports as ``powerkg: error: …`` with exit code 2."""


def _output_dir(args) -> Path:
    return Path(getattr(args, "output", None) or DEFAULT_OUTPUT)


def _built(args, name: str) -> Path:
    """A file or folder of the complete build in the output folder, or OutputError saying to
    build first."""
    return require_complete_build(_output_dir(args)) / name


def cmd_query(args) -> int:
    from .build import open_store
    from .queries import QueryError, answer, find_query, library, render
    from .registry import load_registry

    if args.list or not args.name:
        for query in library().values():
            params = " ".join(f"--param {p.name}=…" for p in query.params)
            print(f"{query.name}  {params}\n    {query.title}\n    {query.question_zh}\n    {query.question_en}")
        return 0
    store = open_store(_output_dir(args))
    values = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"powerkg: error: --param takes NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        values[key.strip()] = value.strip()
    try:
        query = find_query(args.name)
        names, rows = answer(store, _output_dir(args), query, values, load_registry(), live=args.live)
    except QueryError as exc:
        print(f"powerkg: error: {exc}", file=sys.stderr)
        return 2
    except (SyntaxError, OSError, ValueError) as exc:
        print(f"powerkg: error: query failed: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(names, rows, args.format))
    return 0


def cmd_serve(args) -> int:
    from .serve import EndpointSettings, make_server

    settings = EndpointSettings(
        output=require_complete_build(_output_dir(args)).resolve(), timeout=args.timeout, workers=args.workers,
        queue=args.queue, max_body=args.max_body, cors=args.cors, allow_service=args.allow_service,
        allowed_hosts={h.lower() for h in args.allow_host or []})
    server = make_server(settings, args.host, args.port)
    host, port = server.server_address[:2]
    _progress(f"SPARQL endpoint on http://{host}:{port}/sparql (query page http://{host}:{port}/), "
              f"read-only, {args.timeout:g} s per query, {args.workers} at once"
              + ("; SERVICE allowed" if args.allow_service else "") + "; Ctrl-C stops it")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_push(args) -> int:
    from .push import push

    data = _built(args, "")
    _progress(f"pushing the named graphs of {data} to {args.endpoint}…")
    try:
        sent = push(data, args.endpoint, _progress)
    except RuntimeError as exc:
        raise CliError(str(exc)) from exc
    _progress(f"done: {len(sent)} graphs, {sum(sent.values())} triples")
    return 0


def cmd_registry(args) -> int:
    from .law.importer import CorpusError, import_corpus

    output = Path(args.output) if args.output else Path.cwd() / "laws.zip"
    try:
        counts = import_corpus(Path(args.path), output, local=args.local, progress=_progress)
    except CorpusError as exc:
        raise CliError(str(exc)) from exc
    for lost in counts["without_text"]:
        _progress(f"  left out (no text file): {lost}")
    levels = ", ".join(f"{n} {level}" for level, n in sorted(counts["instruments"].items()))
    _progress(f"done: {levels}; {counts['versions']} versions, {counts['articles']} articles → {output} "
              f"({output.stat().st_size / 1e6:.1f} MB)")
    if not args.output:
        _progress("bundle it with: cp laws.zip corpus/laws.zip (in a checkout), then reinstall")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="powerkg", description="Power lists (权责清单) → legal knowledge graph.")
    sub = parser.add_subparsers(dest="command", required=True)

    from .readers import LAYOUTS

    def add_lists(p):
        p.add_argument("lists", nargs="*", metavar="LIST", help="list files (default: the bundled corpus)")
        p.add_argument("--layout", choices=LAYOUTS, help="force a reader instead of auto-detection")
        p.add_argument("--authority", metavar="NAME", help="the implementing authority of the given files "
                       "(rows with their own 实施主体 cell keep it; default: the file's title or 单位 line)")
        p.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="the day the lists were made: "
                       "citations point at the law versions in force then (default: a date the list "
                       "states, else the current versions)")

    p = sub.add_parser("export", help="records, findings or citations as JSON or CSV")
    p.add_argument("what", choices=("records", "findings", "citations"))
    p.add_argument("--format", choices=("json", "csv"), default="json")
    add_lists(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("cite", help="citations found in free text (argument, or - for standard input)")
    p.add_argument("text", nargs="?", default="-")
    p.add_argument("--format", choices=("json",), default="json")
    p.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD",
                   help="resolve to the law versions in force on this day (default: the current ones)")
    p.set_defaults(func=cmd_cite)

    p = sub.add_parser("validate", help="SHACL validation; exit 0 conforms, 1 violations, 2 error")
    p.add_argument("--format", choices=("text", "html", "csv", "ttl"), default="text")
    p.add_argument("--data", help="graph to validate (default output/graph.nq, or the build's store when the build "
                                  "is too large for graph.nq)")
    p.add_argument("--shapes", nargs="+", metavar="FILE|DIR", help="shape files or folders (default: the bundled shapes)")
    p.add_argument("--engine", choices=("auto", "sparql", "pyshacl"), default="auto",
                   help="sparql: the shapes compiled to SPARQL on pyoxigraph (fast); pyshacl: the reference engine; "
                        "auto (default): sparql unless the shapes use a feature it lacks")
    p.add_argument("-o", "--output", help="the build's output folder (default ./output)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", help="run a library query (queries/*.rq) or a .rq file on the built store")
    p.add_argument("name", nargs="?", metavar="NAME|FILE.rq")
    p.add_argument("--param", action="append", metavar="NAME=VALUE")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--list", action="store_true", help="list the library's queries")
    p.add_argument("--live", action="store_true", help="run the SPARQL on the store even where the build "
                   "answered the query already (answers.sqlite, articles.sqlite)")
    p.add_argument("-o", "--output", help="the build's output folder (default output/)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("serve", help="read-only SPARQL 1.1 Protocol endpoint with a query page")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7878)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    p.add_argument("--workers", type=int, default=2, help="queries run at once (default 2)")
    p.add_argument("--queue", type=int, default=64, help="queries that may wait for a worker (default 64)")
    p.add_argument("--max-body", type=int, default=1 << 20, metavar="BYTES", help="largest POST body (default 1 MiB)")
    p.add_argument("--cors", metavar="ORIGIN", help="let the web page at ORIGIN (e.g. http://localhost:8080) "
                   "read answers; no other page may use the endpoint")
    p.add_argument("--allow-service", action="store_true",
                   help="allow federated queries (SERVICE): the endpoint will then fetch the URLs queries name")
    p.add_argument("--allow-host", action="append", metavar="NAME",
                   help="accept requests addressed to this host name too (when bound to a non-loopback address)")
    p.add_argument("-o", "--output", help="the build's output folder (default ./output)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("push", help="PUT the named graphs into a store (SPARQL 1.1 Graph Store Protocol)")
    p.add_argument("--endpoint", required=True, help="Graph Store URL, e.g. http://127.0.0.1:7879/store")
    p.add_argument("-o", "--output", help="the build's output folder (default output/)")
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("registry", help="import a statute corpus (LawRefBook/Laws snapshot) into a law archive")
    p.add_argument("action", choices=("import",))
    p.add_argument("path", metavar="PATH", help="the corpus folder (with db.sqlite3)")
    p.add_argument("-o", "--output", metavar="FILE", help="archive to write (default ./laws.zip)")
    p.add_argument("--local", action="store_true", help="also import the local regulations under DLC/")
    p.set_defaults(func=cmd_registry)

    p = sub.add_parser("compare", help="align two lists item by item: shared powers, powers one lacks, "
                       "bases that differ (default: the two bundled lists)")
    p.add_argument("--format", choices=("json", "csv", "html"), default="json")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of standard output")
    add_lists(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("build", help="the main job: read the lists and write everything into output/")
    p.add_argument("--workers", type=int, metavar="N", help="processes for reading lists and aligning them "
                   "(default: the machine's cores); the output is the same for any number")
    p.add_argument("--no-cache", action="store_true", help="read every list again, even those unchanged since the "
                   "last build into this output (kept in .OUTPUT.cache/ beside it)")
    p.add_argument("-o", "--output", default=str(DEFAULT_OUTPUT), help="output folder (default ./output)")
    add_lists(p)
    p.set_defaults(func=cmd_build)
    parser.set_defaults(commands=sub.choices)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse with options and positionals in any order on every subcommand
    (``export records --format json FILE`` as well as ``export --format json records FILE``)."""
    parser = build_parser()
    commands = parser.get_default("commands")
    position = _command_position(argv)
    if position is None or argv[position] not in commands:
        return parser.parse_args(argv)  # help, or the usage error naming the valid commands
    args = commands[argv[position]].parse_intermixed_args(argv[:position] + argv[position + 1:])
    args.command = argv[position]
    return args


def _command_position(argv: list[str]) -> int | None:
    """Where the command word is in ``argv``: its first word that is no option."""
    return next((i for i, a in enumerate(argv) if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    position = _command_position(argv)
    if position is not None and argv[position] == "build":
        from .parallel import start_server

        start_server(also=("build_graph.stream",))  # the server's imports beside this process's own
    from .readers import ReadError
    from .validate import CannotValidate

    args = parse_args(argv)
    try:
        return args.func(args)
    except (ReadError, CliError, MissingData, CannotValidate, OutputError) as exc:
        print(f"powerkg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
