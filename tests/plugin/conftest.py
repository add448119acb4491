from tests.engine.fixtures import pulumi_bin

__all__ = ["pulumi_bin"]
