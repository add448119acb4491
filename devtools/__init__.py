"""Development support: what the tests, the quickstart and the benchmarks run on.

Like moto's ``mock_aws``, these are tools for developing with the package, not part of
what a stack deploys, and not in the wheel: they are imported from the checkout, which
``scripts/setup.sh`` puts on the virtualenv's path (the example stack at the root takes
its sample images from ``media``):

    engine  run a Pulumi program directory through the real Pulumi CLI, offline, with the
            Automation API's inline programs (``EngineStack``, ``cli_bin_dir``)
    run     one engine command in a process of its own (``python -m devtools.run``)
    world   a seeded world in the emulator: buckets, key, sample images, manifest
    media   image files made in code: the sample set, PNG and JPEG writers
    flagged  jobs over labelled images (photo-like JPEGs) for the report's tests and bench
    browser  the system's Chromium for the report's browser tests
    processes  the provider processes the engine started for stacks under a directory
    policy_harness  the pack's policies run in-process on wire-form resources, as
                    pulumi-policy's server runs them (policy tests, bench/policy_pack.py)
    aws_standin  a preview-only stand-in for the pulumi-aws plugin (not obtainable here),
                 so policy-pack tests can preview pulumi-aws resources with the real CLI

Import the submodules; this package imports nothing on its own, so ``media`` stays free of
the Pulumi and moto dependencies the others pull in.
"""
