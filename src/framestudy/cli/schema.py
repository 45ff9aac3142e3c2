"""``framestudy schema``: generate the labeling config, codebook and registry from the schema."""

from __future__ import annotations

from typing import Annotated

import typer

from framestudy.cli._common import console, study
from framestudy.errors import UserError

schema_app = typer.Typer(
    help="The framing schema (schemas/framing.yaml) and the files generated from it.",
    no_args_is_help=True,
)


@schema_app.command("build")
def build(
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; fail if a generated file is missing or stale."),
    ] = False,
) -> None:
    """Validate schemas/framing.yaml and write framing.xml, codebook.md/.html and registry.json.

    Example: framestudy schema build --check
    """
    from framestudy.schema import build_schema, stale_outputs  # label-studio-sdk: on use only

    st = study()
    if check:
        stale = stale_outputs(st)
        if stale:
            names = ", ".join(str(p.relative_to(st.root)) for p in stale)
            raise UserError(f"stale generated files: {names} -- run `framestudy schema build` and commit them")
        console.print("schema: generated files are up to date")
        return
    schema, written = build_schema(st)
    console.print(f"schema {schema.name} {schema.version} (hash {schema.hash})")
    for path in written:
        console.print(f"  wrote {path.relative_to(st.root)}")
    if not written:
        console.print("  generated files already up to date")


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")
