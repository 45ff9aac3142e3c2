"""Label Studio commands: ``server start|stop|status``, ``coders add|list``, ``push``,
``status``, ``pull`` (thin wrappers over :mod:`framestudy.labelstudio`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from framestudy.cli._common import console, err_console, study
from framestudy.cli._common import shown_path as _rel
from framestudy.labelstudio.credentials import credentials_path, load_coder_passwords, mask

# label-studio-sdk, requests and pandas are imported by each command when it runs, so that
# `--help` starts at once. The library's defaults, shown in --help (a test keeps them equal
# to server.START_TIMEOUT, push.BATCH_SIZE and pull.EXPORT_TIMEOUT):
START_TIMEOUT = 240.0
BATCH_SIZE = 5000
EXPORT_TIMEOUT = 1800.0

server_app = typer.Typer(
    help=(
        "The study's own Label Studio on 127.0.0.1 (data in .labelstudio/, git-ignored).\n\n"
        "Example: framestudy server start --port 8080"
    ),
    no_args_is_help=True,
)
coders_app = typer.Typer(
    help="The study's coders and their Label Studio accounts.\n\n"
    "Example: framestudy coders add ana@uni.example ben@uni.example",
    no_args_is_help=True,
)


def _external_note() -> None:
    import os

    from framestudy.labelstudio import client

    if os.environ.get(client.ENV_URL):
        err_console.print(
            f"[yellow]note:[/] {client.ENV_URL} is set: push, status and pull use "
            f"{escape(os.environ[client.ENV_URL])}, not this server",
            highlight=False,
            soft_wrap=True,
        )


SECURITY_NOTE = (
    "Label Studio now listens on {where}: anyone who can reach this address can open its "
    "log-in page. Sign-up stays closed except through the organisation's invite link, which "
    "framestudy never prints; the admin's password and every coder's are random and kept in "
    ".labelstudio/ (mode 0600). The connection is plain HTTP: passwords and annotations "
    "cross the network unencrypted unless you put a TLS reverse proxy in front (Caddy or "
    "nginx, docs/team-server.md) and give coders its https:// address (--public-url). "
    "Prefer a proxy on this computer with --host 127.0.0.1 (the default) over --host."
)


# The team server's options, shared by `server start` and `server migrate`.
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Team server: worker processes (default 2 per core, 2-8)."),
]
HostOption = Annotated[
    str | None,
    typer.Option(
        "--host",
        help="Team server: also listen on this address (e.g. 0.0.0.0); needs --allow-remote.",
    ),
]
AllowRemoteOption = Annotated[
    bool,
    typer.Option("--allow-remote", help="Confirm that --host opens Label Studio to the network."),
]
PublicUrlOption = Annotated[
    str | None,
    typer.Option(
        "--public-url",
        help="The address coders open (e.g. https://labelstudio.uni.example, a TLS proxy).",
    ),
]


@server_app.command("start")
def server_start(
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port on 127.0.0.1 (default 8080); refused if it is in use."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the server to answer.")
    ] = START_TIMEOUT,
    team: Annotated[
        bool,
        typer.Option(
            "--team",
            help="The team server: PostgreSQL in .labelstudio/ and gunicorn with several "
            "workers (or server: {team: true} in study.yaml).",
        ),
    ] = False,
    workers: WorkersOption = None,
    host: HostOption = None,
    allow_remote: AllowRemoteOption = False,
    public_url: PublicUrlOption = None,
    org_per_coder: Annotated[
        bool | None,
        typer.Option(
            "--org-per-coder/--one-organization",
            help="Blindness enforced (default): every coder signed up from now on gets a "
            "Label Studio organisation of their own and cannot open the others' projects. "
            "--one-organization: all in one (the shared design needs it).",
        ),
    ] = None,
) -> None:
    """Start the study's Label Studio (or reuse it if it is running) and say how to log in.

    The first start creates the database and the admin account (about 30 s on an idle machine; the team server's takes longer: its database is set up too); later starts take a few seconds. The admin's password and API token are kept in .labelstudio/credentials.json (mode 0600) and never printed in full.

    Example: framestudy server start --team --host 0.0.0.0 --allow-remote --public-url https://ls.uni.example
    """
    from framestudy.labelstudio import server

    st = study()
    with err_console.status("starting Label Studio (a first start takes a minute or more)..."):
        info = server.start(
            st,
            port=port,
            timeout=timeout,
            team=True if team else None,
            workers=workers,
            host=host,
            public_url=public_url,
            allow_remote=allow_remote,
            org_per_coder=org_per_coder is not False,
        )
    creds = server.load_admin(st)
    verb = "already running" if info.reused else "started"
    console.print(
        f"Label Studio {verb}: [bold]{info.url}[/] (pid {info.pid}; {info.describe()})",
        highlight=False,
        soft_wrap=True,
    )
    if info.reused:
        asked = {
            "--port": port is not None and port != info.port,
            "--team": team and not info.team,
            "--workers": workers is not None and workers != info.workers,
            "--host": host is not None and host != info.host,
            "--public-url": public_url is not None and public_url.rstrip("/") != info.public_url,
            "--org-per-coder" if org_per_coder else "--one-organization": (
                org_per_coder is not None and org_per_coder != info.org_per_coder
            ),
        }
        ignored = [name for name, differs in asked.items() if differs]
        if ignored:
            console.print(
                f"({', '.join(ignored)} ignored: the study's server is already running; stop "
                "it first to change how it runs)",
                highlight=False,
                soft_wrap=True,
            )
    _print_reach(info)
    console.print(server.blindness(st).describe(), highlight=False, soft_wrap=True)
    if creds:
        console.print(
            f"log in as [bold]{creds.email}[/]; the password is in "
            f"{_rel(credentials_path(st))} (API token {mask(creds.token)})",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        "next: framestudy coders add EMAIL... ; framestudy push ; stop with framestudy server stop",
        highlight=False,
        soft_wrap=True,
    )
    _external_note()


def _print_reach(info) -> None:
    """Where coders reach the server, and the security note when it faces the network."""
    if info.host != "127.0.0.1":
        where = f"{info.host}:{info.port}"
        console.print(f"listening also on [bold]{where}[/]", highlight=False, soft_wrap=True)
        err_console.print(
            "[yellow]security:[/] " + SECURITY_NOTE.format(where=where),
            highlight=False,
            soft_wrap=True,
        )
    if info.public_url:
        console.print(
            f"coders open [bold]{info.public_url}[/] (--public-url)",
            highlight=False,
            soft_wrap=True,
        )


@server_app.command("migrate")
def server_migrate(
    to: Annotated[
        str, typer.Option("--to", help="Where to move the study's Label Studio: team.")
    ] = "team",
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port of the team server (default: the current server's)."),
    ] = None,
    workers: WorkersOption = None,
    host: HostOption = None,
    allow_remote: AllowRemoteOption = False,
    public_url: PublicUrlOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the server to answer.")
    ] = START_TIMEOUT,
) -> None:
    """Move the study's Label Studio from SQLite to the team server, keeping everything.

    Every project, task, annotation, draft and account (passwords and API tokens included) keeps its id; the server comes back on the same port, so study.yaml and the raw exports still refer to it. The SQLite database is kept in .labelstudio/sqlite-before-team/. Takes a few minutes.

    Example: framestudy server migrate --to team
    """
    from framestudy.errors import UserError
    from framestudy.labelstudio import team

    if to != "team":
        raise UserError(f"--to {to}: the only destination is team (PostgreSQL + gunicorn)")
    st = study()
    with err_console.status("moving Label Studio to PostgreSQL (a few minutes)..."):
        info = team.migrate_to_team(
            st,
            port=port,
            workers=workers,
            host=host,
            public_url=public_url,
            allow_remote=allow_remote,
            timeout=timeout,
        )
    console.print(
        f"moved to the team server: [bold]{info.url}[/] (pid {info.pid}; {info.describe()}); "
        f"the SQLite database is kept in {_rel(team.sqlite_backup_dir(st))}",
        highlight=False,
        soft_wrap=True,
    )
    _print_reach(info)


@server_app.command("stop")
def server_stop() -> None:
    """Stop the study's Label Studio (by the PID recorded at start).

    Example: framestudy server stop
    """
    from framestudy.labelstudio import server


    info = server.stop(study())
    if info is None:
        console.print("no Label Studio of this study is running")
    else:
        also = " and its PostgreSQL" if info.team else ""
        console.print(
            f"stopped Label Studio at {info.url} (pid {info.pid}){also}",
            highlight=False,
            soft_wrap=True,
        )


@server_app.command("status")
def server_status() -> None:
    """Whether the study's Label Studio runs and answers, where, and how to log in.

    Example: framestudy server status
    """
    import os

    from framestudy.labelstudio import server

    st = study()
    state = server.status(st)
    if state.info is None or not state.running:
        console.print("Label Studio of this study: not running (start it: framestudy server start)")
    else:
        health = "answering" if state.answering else "not answering yet"
        console.print(
            f"Label Studio {state.version or ''} at [bold]{state.info.url}[/] (pid "
            f"{state.info.pid}, {health}); data in {_rel(state.info.data_dir)}",
            highlight=False,
            soft_wrap=True,
        )
        console.print(f"server: {state.info.describe()}", highlight=False, soft_wrap=True)
        _print_reach(state.info)
    if state.running or os.environ.get("LABEL_STUDIO_URL"):
        console.print(server.blindness(st).describe(), highlight=False, soft_wrap=True)
    if state.admin:
        console.print(
            f"admin {state.admin.email}, password in {_rel(credentials_path(st))}, "
            f"API token {mask(state.admin.token)}",
            highlight=False,
            soft_wrap=True,
        )
    _external_note()


@coders_app.command("add")
def coders_add(
    emails: Annotated[
        list[str] | None, typer.Argument(help="The coders' e-mail addresses.")
    ] = None,
    adjudicator: Annotated[
        list[str] | None,
        typer.Option(
            "--adjudicator",
            help="Sign this e-mail up as the study's adjudicator (recorded under adjudicators "
            "in study.yaml: no coding project, the review project of `framestudy adjudicate "
            "push`). Repeatable.",
        ),
    ] = None,
) -> None:
    """Give each coder a Label Studio account that can log in; record them in study.yaml.

    New accounts are signed up through the organisation's invite link with a random password, stored in .labelstudio/coders.json (git-ignored, mode 0600) for you to hand to each coder; they are not printed. Existing accounts are reused unchanged. Running it again changes nothing. With --adjudicator the account is the adjudicator's, who settles the coders' disagreements in a review project (docs/adjudication.md) and codes nothing.

    Example: framestudy coders add ana@uni.example ben@uni.example cem@uni.example

    Example: framestudy coders add --adjudicator ida@uni.example
    """
    from framestudy.errors import UserError
    from framestudy.labelstudio import client
    from framestudy.labelstudio.coders import add_coders, passwords_file


    st = study()
    if not emails and not adjudicator:
        raise UserError(
            "name at least one coder: framestudy coders add EMAIL [EMAIL...] (or the "
            "adjudicator: framestudy coders add --adjudicator EMAIL)"
        )
    conn = client.connect(st)
    results = add_coders(st, conn, emails) if emails else []
    judges = add_coders(st, conn, adjudicator, adjudicator=True) if adjudicator else []
    roles = {r.email: "adjudicator" for r in judges}
    results += judges
    table = Table(title=f"coders of this study on {conn.url}", title_justify="left")
    table.add_column("coder")
    table.add_column("account")
    table.add_column("study.yaml")
    table.add_column("password")
    for r in results:
        table.add_row(
            r.email + (" (adjudicator)" if r.email in roles else ""),
            r.account,
            "added" if r.recorded else "already listed",
            "in .labelstudio/coders.json" if r.password_stored else "the coder's own",
        )
    console.print(table)
    if any(r.account == "created" for r in results):
        address = conn.url
        if not conn.external:
            from framestudy.labelstudio import server

            address = server.public_url(st) or conn.url
        console.print(
            f"passwords of new accounts: {_rel(Path(passwords_file(st)))} -- hand each coder "
            f"theirs with the log-in address {address}/user/login/ and docs/labelstudio.md "
            "(annotators' guide)",
            highlight=False,
            soft_wrap=True,
        )


@coders_app.command("list")
def coders_list() -> None:
    """The study's coders (study.yaml) and whether framestudy holds their password.

    Example: framestudy coders list
    """
    from framestudy import settings


    st = study()
    stored = load_coder_passwords(st)
    table = Table(title="coders (study.yaml)", title_justify="left")
    table.add_column("coder")
    table.add_column("password")
    listed = [(e, e) for e in settings.coders(st)]
    listed += [(e, f"{e} (adjudicator)") for e in settings.adjudicators(st)]
    for email, shown in listed:
        table.add_row(
            shown, "in .labelstudio/coders.json" if email in stored else "the coder's own"
        )
    console.print(table)


def _progress() -> Progress:
    return Progress(
        TextColumn("importing tasks"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def push_command(
    design: Annotated[
        str | None,
        typer.Option(
            "--design",
            help="blind: one project per coder + a reliability sample coded by all (default); "
            "shared: one project, every coder codes every task.",
        ),
    ] = None,
    reliability_share: Annotated[
        float | None,
        typer.Option(
            "--reliability-share",
            help="Share of articles (stratified by outlet) every coder codes; default 0.2.",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the draw (default 1); recorded.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the text of articles that changed after being annotated."
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Tasks per import request.")
    ] = BATCH_SIZE,
) -> None:
    """Create/update the study's Label Studio project(s) and import tasks/tasks.json.

    Idempotent: re-running never duplicates a task (matched on article_id), also after an interrupted push. The assignment is written to tasks/assignment.csv; options are recorded in study.yaml and reused.

    Example: framestudy push --design blind --reliability-share 0.2 --seed 7
    """
    from framestudy.labelstudio import client
    from framestudy.labelstudio.push import push


    st = study()
    conn = client.connect(st)
    with _progress() as bar:
        job = bar.add_task("import", total=None)
        result = push(
            st,
            conn,
            design=design,
            reliability_share=reliability_share,
            seed=seed,
            force=force,
            batch_size=batch_size,
            progress=lambda done, total: bar.update(job, completed=done, total=total),
        )
    table = Table(
        title=f"push ({result.design} design, reliability share {result.reliability_share:g}, "
        f"seed {result.seed}) -> {conn.url}",
        title_justify="left",
    )
    for col in ("project", "id", "assigned", "imported", "already there", "updated"):
        table.add_column(col, justify="left" if col == "project" else "right")
    table.add_column("notes")
    for p in result.projects:
        notes = []
        if p.created:
            notes.append("created")
        if p.settings_updated:
            notes.append("settings updated: " + ", ".join(p.settings_updated))
        if p.forced:
            notes.append(f"{p.forced} annotated text(s) replaced (--force)")
        if p.kept_annotated:
            notes.append(f"{p.kept_annotated} annotated task(s) keep their old metadata")
        if p.duplicates_removed:
            notes.append(f"{p.duplicates_removed} duplicate task(s) removed")
        if p.duplicates_kept:
            notes.append(f"{len(p.duplicates_kept)} annotated duplicate(s) left: check them")
        if p.not_assigned:
            notes.append(f"{p.not_assigned} task(s) not in the assignment (left alone)")
        table.add_row(
            escape(p.title),
            str(p.project_id),
            str(p.assigned),
            str(p.imported),
            str(p.existing),
            str(p.updated + p.forced),
            "; ".join(notes),
        )
    console.print(table)
    console.print(f"assignment: {_rel(st.assignment)}", highlight=False, soft_wrap=True)


def status_command() -> None:
    """Done / skipped / remaining tasks per coder and outlet.

    Example: framestudy status
    """
    from framestudy.labelstudio import client
    from framestudy.labelstudio.status import coding_status


    st = study()
    conn = client.connect(st)
    frame = coding_status(st, conn)
    table = Table(title=f"coding status on {conn.url}", title_justify="left")
    for col in frame.columns:
        table.add_column(col, justify="left" if col in ("coder", "outlet") else "right")
    for coder, rows in frame.groupby("coder", sort=False):
        for _, row in rows.iterrows():
            table.add_row(*(str(v) for v in row.tolist()))
        sums = rows.drop(columns=["coder", "outlet"]).sum()
        table.add_row(
            f"[bold]{escape(str(coder))}[/]",
            "[bold]all[/]",
            *(f"[bold]{int(v)}[/]" for v in sums.tolist()),
            end_section=True,
        )
    console.print(table)
    if frame["foreign"].sum():
        console.print(
            "[yellow]foreign:[/] annotations made in another coder's project (a breach of the "
            "blind design); pull keeps them out of the table unless --include-foreign",
            highlight=False,
            soft_wrap=True,
        )


def pull_command(
    include_foreign: Annotated[
        bool,
        typer.Option(
            "--include-foreign",
            help="Keep annotations a coder made in another coder's project (blind breach).",
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each project's export.")
    ] = EXPORT_TIMEOUT,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Export every project and rebuild the table, even those Label Studio reports "
            "unchanged since the last pull.",
        ),
    ] = False,
) -> None:
    """Export the projects changed since the last pull, keep the raw exports, write annotations/annotations.csv.

    A project Label Studio reports unchanged since the last pull (same counts, same newest task update, same tasks with drafts) is not exported again: its last raw export is reused (--full exports every project). Raw exports are saved unchanged under annotations/raw/ (never overwritten; listed with their sha256 in manifest.json). Every annotation is checked against the schema; what is set aside is reported with its ids.

    Example: framestudy pull
    """
    from framestudy.labelstudio import client
    from framestudy.labelstudio.pull import pull


    st = study()
    conn = client.connect(st)
    with err_console.status("exporting..."):
        result = pull(
            st, conn, include_foreign=include_foreign, full=full, export_timeout=timeout
        )
    for export in result.exports:
        if not export.exported:
            state = "no change since the last pull, reused"
        else:
            state = "saved" if export.new else "unchanged, kept"
        console.print(
            f"project {export.project.id} ({escape(export.project.title)}): {state} "
            f"{_rel(export.path)} ({export.size:,} bytes, sha256 {export.sha256[:12]})",
            highlight=False,
            soft_wrap=True,
        )
    console.print(result.report.table())
    console.print(result.report.summary(), highlight=False, soft_wrap=True)
    verb = "wrote" if result.rebuilt else "up to date, left as it was:"
    console.print(
        f"{verb} {_rel(result.path)} ({result.report.rows} rows)", highlight=False, soft_wrap=True
    )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(server_app, name="server")
    app.add_typer(coders_app, name="coders")
    app.command("push")(push_command)
    app.command("status")(status_command)
    app.command("pull")(pull_command)
