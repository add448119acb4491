"""``rekognition-media policy-check``: arguments, the run, exit codes.

Exit codes: 0 no mandatory violation, 1 one or more, 2 the preview could not run (no
project or stack, no credentials, a program error) or bad arguments. Every failure is one
line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from .rules import FRAMEWORK_ENV, FRAMEWORKS

PROG = "rekognition-media policy-check"
COULD_NOT_RUN = 2


class CheckError(Exception):
    """The check could not run: one line, exit code 2."""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Adds ``policy-check`` to the ``rekognition-media`` subcommands."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "policy-check",
        help="preview a stack with the policy pack; findings as SARIF, JUnit, JSON",
        description="Run `pulumi preview` of a stack with the rekognition-media policy pack "
        "(and any other --policy-pack) and report every policy finding on the line of the "
        "program that declared the resource: a table here, SARIF for code scanning "
        "(--sarif), JUnit XML for test reports (--junit), JSON (--json). Exit 0 without a "
        "mandatory violation, 1 with one, 2 when the preview could not run.",
    )
    parser.add_argument(
        "project_dir",
        metavar="PROJECT_DIR",
        nargs="?",
        help="the Pulumi project's directory (default: --cwd, else the current directory)",
    )
    parser.add_argument("-C", "--cwd", metavar="DIR", help="the same as PROJECT_DIR")
    parser.add_argument(
        "-s", "--stack", metavar="NAME", help="the stack to preview (default: the selected one)"
    )
    parser.add_argument(
        "--policy-pack",
        metavar="DIR",
        action="append",
        default=[],
        help="another policy pack to run as well (repeatable)",
    )
    parser.add_argument(
        "--policy-pack-config",
        metavar="FILE",
        action="append",
        default=[],
        help="a policy pack's config (JSON); the first is this pack's, the next ones "
        "belong to the --policy-pack arguments in order",
    )
    parser.add_argument(
        "--framework",
        choices=sorted(FRAMEWORKS),
        help="run only the policies mapped to this framework's controls "
        "(fsbp: AWS Foundational Security Best Practices)",
    )
    parser.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 here")
    parser.add_argument("--junit", metavar="FILE", help="write JUnit XML here")
    parser.add_argument("--json", metavar="FILE", help="write the findings as JSON here")
    parser.add_argument(
        "--inline",
        action="store_true",
        help="run a Python program's __main__.py in this process (Automation API inline "
        "mode) instead of through Pulumi's Python language host",
    )
    return parser


def main(args: argparse.Namespace) -> int:
    """The command's run; an interrupt or an unexpected error is the CLI's to report
    (``report.cli.main``, as for ``report``), with ``COULD_NOT_RUN``."""
    try:
        return run(args)
    except CheckError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return COULD_NOT_RUN


def _usage(message: str) -> CheckError:
    return CheckError(f"{message} (see {PROG} --help)")


def _checked_arguments(args: argparse.Namespace) -> Path:
    """Every argument checked before the preview starts: a bad one costs no waiting."""
    if args.project_dir and args.cwd and Path(args.project_dir) != Path(args.cwd):
        raise _usage(f"PROJECT_DIR {args.project_dir!r} and --cwd {args.cwd!r} differ")
    project_dir = Path(args.project_dir or args.cwd or ".")
    if not project_dir.is_dir():
        raise _usage(f"no directory {str(project_dir)!r}")
    for pack in args.policy_pack:
        if not (Path(pack) / "PulumiPolicy.yaml").is_file():
            raise _usage(f"--policy-pack {pack!r} is not a policy pack (no PulumiPolicy.yaml)")
    for config in args.policy_pack_config:
        if not Path(config).is_file():
            raise _usage(f"--policy-pack-config {config!r}: no such file")
    if len(args.policy_pack_config) > 1 + len(args.policy_pack):
        raise _usage("more --policy-pack-config files than policy packs")
    for option in ("sarif", "junit", "json"):
        target = getattr(args, option)
        if target is not None and not Path(target).absolute().parent.is_dir():
            raise _usage(f"--{option} {target!r}: its directory does not exist")
    return project_dir


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from rekognition_media import policies

    from . import findings, junit, sarif, table
    from .locations import repository_root
    from .preview import PreviewError, load_project, run_preview
    from .rules import pack_rules

    project_dir = _checked_arguments(args)
    try:
        project = load_project(project_dir)
        if args.inline and project.runtime != "python":
            raise _usage(f"--inline runs Python programs; {project.name} is {project.runtime}")
        packs = [str(Path(policies.__file__).parent.resolve())]
        packs += [str(Path(pack).resolve()) for pack in args.policy_pack]
        configs = [str(Path(config).resolve()) for config in args.policy_pack_config]
        env = {FRAMEWORK_ENV: args.framework} if args.framework else {}
        with tempfile.TemporaryDirectory(prefix="policy-check-") as scratch:
            if configs and len(configs) < len(packs):
                # The CLI pairs configs with packs by position: a pack without one gets {}.
                empty = Path(scratch) / "empty-config.json"
                empty.write_text("{}")
                configs += [str(empty)] * (len(packs) - len(configs))
            preview = run_preview(project, args.stack, packs, configs, env, args.inline)
    except PreviewError as error:
        raise CheckError(f"the preview could not run: {error}") from None
    report = findings.build(
        preview, pack_rules(args.framework), args.framework, repository_root(project.directory)
    )
    if args.sarif:
        Path(args.sarif).write_text(json.dumps(sarif.sarif(report), indent=2) + "\n")
    if args.junit:
        junit.write(report, args.junit)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2) + "\n")
    table.show(Console(), report)
    return report.exit_code
