"""examples/jobs (N jobs from stack config) plus ``Witness``: another dynamic resource on
the same (default) dynamic provider, declared after the jobs and depending on none.

``Witness`` writes its ``value`` to the file ``marker`` on create and update, so a test
sees when the provider process ran its check, diff and update: while the jobs wait, if the
process has a thread for it.
"""

import runpy
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider, UpdateResult

config = pulumi.Config()
# examples/jobs/__main__.py, as the test gives it.
runpy.run_path(config.require("jobsProgram"))


class WitnessProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        Path(props["marker"]).write_text(props["value"])
        return CreateResult("witness", props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        Path(news["marker"]).write_text(news["value"])
        return UpdateResult(news)


class Witness(Resource):
    def __init__(self, name: str, marker: str, value: str) -> None:
        super().__init__(WitnessProvider(), name, {"marker": marker, "value": value})


Witness("witness", config.require("marker"), config.require("witnessValue"))
