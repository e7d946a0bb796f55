"""The ``derive`` command: render, check and list worksheets.

Every user error (a bad spec, a bad override, a value that is not finite) is one line
on stderr naming the key, with exit status 2, and no file is written.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from ..errors import MESSAGE_LIMIT, DeriveError, SpecError, cut, printable
from ..render.formats import FORMATS, Options
from ..render.hosts import HOSTS
from ..render.templating import papers
from ..spec.examples import example_names, example_title
from ..spec.schema import Spec, load_spec
from .common import _resolve


def _load(spec: str | None, overrides: tuple[str, ...]) -> tuple[Spec, str]:
    path, stem = _resolve(spec)
    return load_spec(path, overrides), stem


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derive")
def cli() -> None:
    """Turn a small model into a step-by-step backpropagation worksheet.

    \b
    Example:
      derive render                      # the default worksheet into output/
      derive render my-neuron.toml --format json --set x1=2.0
    """


@cli.command()
@click.argument("spec", required=False)
@click.option("--format", "format_", default="all", show_default=True,
              help=f"Comma-separated formats: {', '.join(FORMATS)}, or all (these); and practice (a page "
                   "that checks each box, of --count variants with [variants] rules) or scorm (that "
                   "page as a SCORM 1.2 package).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Directory to write into.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scalar of the spec, e.g. --set x1=2.0 --set train.learning_rate=0.05.")
@click.option("--math", type=click.Choice(["mathml", "tex"]), default=None,
              help="Math in the HTML fragment: MathML, or \\( \\) for hosts running MathJax/KaTeX "
                   "(default: the host's, mathml for plain and canvas).")
@click.option("--host", type=click.Choice(list(HOSTS)), default="plain", show_default=True,
              help="The course site the fragment is for: canvas and moodle get inline styles and "
                   "pictures as files beside it, moodle and mkdocs TeX for their MathJax.")
@click.option("--paper", type=click.Choice(papers()), default="a4", show_default=True,
              help="Paper size of the PDF and LaTeX.")
@click.option("--variant", metavar="ID", default=None,
              help="Regenerate one variant of a class set (see `derive batch`): its student sheet and key.")
@click.option("--count", type=int, default=None,
              help="With --variant: the size of its class set, so the variant shows the set's one precision; "
                   "with practice or scorm: the variants on the page (default 20).")
@click.option("--blanks", default=None, metavar="numbers|steps",
              help="Also write the student sheet, with every computed number (or the steps too) blank.")
def render(spec: str | None, format_: str, out: Path, overrides: tuple[str, ...], math: str | None,
           host: str, paper: str, variant: str | None, count: int | None, blanks: str | None) -> None:
    """Compute a worksheet and write it as OUT/<stem>.<format>.

    SPEC is a TOML file or a built-in example name (see `derive examples`);
    without it, the default example (one sigmoid neuron) is rendered.

    \b
    Example:
      derive render neuron-bce --format pdf,html --out handouts --set x1=2.0
      derive render my-neuron.toml --variant my-neuron-2026-07 --count 40   # <ID>.student.*, <ID>.key.*
      derive render --format fragment --host canvas   # the fragment and its pictures, for Canvas
      derive render my-neuron.toml --format practice,scorm --count 30   # a page that checks itself
    """
    from .batch import split_formats
    from .practice import for_render

    sheets, sets = split_formats(format_)
    sets = for_render(sets)
    if count is not None and variant is None and not sets:
        raise SpecError("--count", "goes with --variant (the size of the variant's class set) or with "
                                   "--format practice or scorm (the variants on the page)")
    if sets and (variant is not None or blanks is not None):
        raise SpecError("--format", f"{sets[0]} is written for the spec's set, not with --variant or "
                                    "--blanks")
    if variant is not None or blanks is not None:
        from .batch import render_with_blanks

        options = Options(math=math, paper=paper, host=host)
        for path in render_with_blanks(spec, format_, out, overrides, options, variant, blanks, count):
            click.echo(printable(str(path)))
        return
    loaded, stem = _load(spec, overrides)
    from ..writer import write_all
    from .render_one import render_one  # after the spec holds: a spec error needs no SymPy

    options = Options(math=math, paper=paper, host=host)
    documents: dict[str, str | bytes] = render_one(loaded, stem, sheets, options) if sheets else {}
    if sets:
        from .batch import read_spec
        from .practice import render_sets

        text, source, _ = read_spec(spec)
        documents.update(render_sets(text, source, stem, overrides, sets, count))
    for path in write_all(out, documents):  # every name checked first: a refusal writes nothing
        click.echo(printable(str(path)))


@cli.command()
@click.argument("spec")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a scalar first.")
def check(spec: str, overrides: tuple[str, ...]) -> None:
    """Validate SPEC and derive its chain rule, without computing numbers.

    \b
    Example:
      derive check my-neuron.toml
    """
    from ..symbolic.prepare import prepare

    loaded, _ = _load(spec, overrides)
    prepared = prepare(loaded)
    graph, derivation = prepared.graph, prepared.derivation
    counts = ", ".join(_count(n, word) for n, word in ((len(graph.nodes), "node"),
                                                       (len(derivation.edges), "edge"),
                                                       (len(graph.parameters), "parameter")))
    click.echo(f"ok: {printable(loaded.title)} ({counts}, loss {graph.loss})")


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


@cli.command()
def examples() -> None:
    """List the built-in examples; render one with `derive render NAME`.

    \b
    Example:
      derive examples
    """
    for name in example_names():
        click.echo(f"{name:20s} {example_title(name)}")


from .batch import register  # noqa: E402 - the class-set commands need the group above
from .keys import keys  # noqa: E402
from .preview import preview  # noqa: E402

register(cli)
cli.add_command(preview)
cli.add_command(keys)


class Interrupted(BaseException):
    """Ctrl-C, raised in place of KeyboardInterrupt so that neither click (which prints a blank
    line for it) nor a handler of Exception takes it for something else."""


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted()


def main() -> None:
    """Console entry point: user errors become one line and exit status 2; Ctrl-C one line, 130."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
    try:
        cli.main(standalone_mode=False)
    except Interrupted:
        click.echo("derive: interrupted; every file written is whole (a class set: rerun the same "
                   "command to finish it)", err=True)
        sys.exit(130)
    except DeriveError as error:
        click.echo(f"derive: error: {error}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.UsageError as error:  # one line, like every other error: not click's four
        command = error.ctx.command_path if error.ctx is not None else "derive"
        message = printable(cut(error.format_message(), MESSAGE_LIMIT))
        click.echo(f"derive: error: {message} (see {command} --help)", err=True)
        sys.exit(2)
    except click.ClickException as error:
        click.echo(f"derive: error: {printable(cut(error.format_message(), MESSAGE_LIMIT))}", err=True)
        sys.exit(error.exit_code)
