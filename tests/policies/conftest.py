from tests.engine.fixtures import engine_stack, pulumi_bin

__all__ = ["engine_stack", "pulumi_bin"]
