"""A stand-in ``pulumi-resource-aws`` for running ``pulumi preview`` on pulumi-aws resources here.

The real pulumi-aws plugin can't be obtained on these machines (it is built from a patched
Terraform provider; see the offline notes), so a program with an ``aws.kms.Key`` can't be
previewed by the real CLI at all. For what the policy-pack tests need, a preview, the
engine asks a resource provider only to check the inputs and to say what a create would
produce; this stand-in answers both with the program's inputs unchanged. The engine, the
policy analyzer plugin and the pack are the real ones; what is *not* exercised is
pulumi-aws's own input validation and defaults (pulumi-aws's Check would add defaults such
as ``isEnabled``, which the pack's checks don't read).

It refuses to deploy: ``create`` outside a preview, ``update`` and ``delete`` fail, so a
stack run with it can never look deployed. Started by the engine as
``python -m devtools.aws_standin <engine address>``;
:func:`install` writes the ``pulumi-resource-aws`` launcher the engine finds on ``PATH``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi.provider.experimental.provider import (
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    Provider,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.provider.experimental.server import main as serve

from rekognition_media.plugin.__main__ import exit_with_the_engine

VERSION = "0.0.0-standin"


class AwsStandIn(Provider):
    """Check and Diff: the base class's pass-through; Create: the inputs, in preview only."""

    async def create(self, request: CreateRequest) -> CreateResponse:
        if not request.preview:
            raise NotImplementedError(
                "the pulumi-aws stand-in only previews; it never creates AWS resources"
            )
        return CreateResponse(resource_id=None, properties=request.properties)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        raise NotImplementedError("the pulumi-aws stand-in only previews")

    async def delete(self, request: DeleteRequest) -> None:
        raise NotImplementedError("the pulumi-aws stand-in only previews")


def install(bin_dir: Path) -> Path:
    """Write ``bin_dir/pulumi-resource-aws`` (run with this interpreter); put ``bin_dir``
    first on the engine's PATH to have it used instead of a missing pulumi-aws."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    launcher = bin_dir / "pulumi-resource-aws"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -u -m devtools.aws_standin "$@"\n')
    launcher.chmod(0o700)
    return launcher


def main() -> None:
    exit_with_the_engine()  # as the rekognition-media plugin does
    serve(sys.argv[1:], VERSION, AwsStandIn())


if __name__ == "__main__":
    main()
