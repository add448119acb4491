"""The program process loads only the program side of ``MediaAnalysisJob``.

A user's program imports ``rekognition_media.providers`` and creates jobs; starting and
waiting (``start``, ``pollers``, and ``budget`` with its file locks) run in the provider
process only, and so does every AWS client. Checked in a fresh interpreter, so that no
other test's imports count. ``fcntl`` itself cannot be absent (the SDK's ``subprocess``
loads it), so the program makes any later import of it fail instead.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROVIDER_SIDE = (
    "lifecycle",
    "start",
    "pollers",
    "budget",
    "private_directory",
    "schedule",
    "errors",
)

# Creates four jobs under Pulumi's mocks (all on the default provider: no lane) and
# prints the modules of this package that got loaded and the resources registered.
PROGRAM = """
import json, sys

import pulumi

# The SDK loads fcntl itself (through subprocess); from here on, any import of it fails,
# so a module of ours that imports it breaks this program.
sys.modules["fcntl"] = None

import botocore.session


def no_client(*args, **kwargs):
    raise AssertionError("the program built an AWS client")


# boto3 clients are botocore clients: none may be built here.
botocore.session.Session.create_client = no_client

registered = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        registered.append(args.typ)
        return [args.name + "-id", args.inputs]

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), project="program-side", stack="test", preview=False)

import rekognition_media.providers as providers


@pulumi.runtime.test
def program():
    jobs = [
        providers.MediaAnalysisJob(
            f"job-{i}",
            providers.MediaAnalysisJobArgs(
                operations_config={"detect_moderation_labels": {"min_confidence": 60}},
                input={"s3_object": {"bucket": "in", "name": "manifest.jsonl"}},
                output_config={"s3_bucket": "out"},
            ),
        )
        for i in range(4)
    ]
    return pulumi.Output.all(*(job.urn for job in jobs))


program()
loaded = sorted(m for m in sys.modules if m.startswith("rekognition_media.providers."))
print(json.dumps({"loaded": loaded, "registered": registered}))
"""


def test_the_program_loads_no_provider_side_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    loaded = {name.rsplit(".", 1)[1] for name in report["loaded"]}
    assert "lanes" in loaded and "job" in loaded  # the program side did run
    # One provider process holds every job (the SDK's server is widened in it): no lane.
    assert report["registered"].count("pulumi:providers:pulumi-python") == 0
    assert not loaded & set(PROVIDER_SIDE), sorted(loaded & set(PROVIDER_SIDE))


def test_where_the_server_cannot_be_widened_jobs_go_to_lanes_and_the_program_says_so_once() -> None:
    # The SDK's server of another shape, as pulumi_internals reads it.
    program = PROGRAM.replace(
        "import rekognition_media.providers as providers\n",
        "from rekognition_media.core import pulumi_internals\n"
        "pulumi_internals.dynamic_server_serves_every_call = lambda: False\n"
        "import rekognition_media.providers as providers\n",
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["registered"].count("pulumi:providers:pulumi-python") == 2  # 3 + 1 jobs
    said = result.stdout + result.stderr
    assert said.count("is not the one this package knows") == 1, said
    assert "jobs run in provider processes of 3" in said
