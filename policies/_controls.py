"""The benchmark controls the policies enforce, declared once.

Each policy names its controls (``controls=(...)`` of :func:`resource_policy` /
:func:`stack_policy`); the framework puts them into the pulumi-policy objects the analyzer
serves: a ``"<framework>:<id>"`` tag per control and a ``PolicyComplianceFramework`` whose
``specification`` is the ids, comma-separated. Only controls checked against AWS's
documentation are listed (see policies/README.md, "Controls", for the sources and for the
controls left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pulumi_policy import PolicyComplianceFramework


@dataclass(frozen=True)
class Framework:
    """A compliance framework: ``key`` is how tags and ``--framework`` name it."""

    key: str
    name: str
    version: str
    reference: str

    def compliance(self, controls: tuple[Control, ...]) -> PolicyComplianceFramework:
        return PolicyComplianceFramework(
            name=self.name,
            version=self.version,
            reference=self.reference,
            specification=",".join(control.id for control in controls),
        )


FSBP: Final = Framework(
    key="fsbp",
    name="AWS Foundational Security Best Practices",
    version="1.0.0",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
)
FRAMEWORKS: Final[dict[str, Framework]] = {FSBP.key: FSBP}


@dataclass(frozen=True)
class Control:
    """One control of a framework, with AWS's title and the page that defines it."""

    framework: Framework
    id: str
    title: str
    url: str

    @property
    def tag(self) -> str:
        """``fsbp:S3.5``: how the control is spelled in a policy's tags."""
        return f"{self.framework.key}:{self.id}"


_USERGUIDE: Final = "https://docs.aws.amazon.com/securityhub/latest/userguide"


def _fsbp(control_id: str, title: str) -> Control:
    service, number = control_id.split(".")
    anchor = f"{service.lower()}-{number}"
    return Control(
        FSBP, control_id, title, f"{_USERGUIDE}/{service.lower()}-controls.html#{anchor}"
    )


S3_2: Final = _fsbp("S3.2", "S3 general purpose buckets should block public read access")
S3_3: Final = _fsbp("S3.3", "S3 general purpose buckets should block public write access")
S3_5: Final = _fsbp("S3.5", "S3 general purpose buckets should require requests to use SSL")
S3_8: Final = _fsbp("S3.8", "S3 general purpose buckets should block public access")
S3_12: Final = _fsbp(
    "S3.12", "ACLs should not be used to manage user access to S3 general purpose buckets"
)
KMS_1: Final = _fsbp(
    "KMS.1", "IAM customer managed policies should not allow decryption actions on all KMS keys"
)
KMS_2: Final = _fsbp(
    "KMS.2",
    "IAM principals should not have IAM inline policies that allow decryption actions on all "
    "KMS keys",
)
KMS_5: Final = _fsbp("KMS.5", "KMS keys should not be publicly accessible")
IAM_1: Final = _fsbp("IAM.1", 'IAM policies should not allow full "*" administrative privileges')
IAM_21: Final = _fsbp(
    "IAM.21",
    "IAM customer managed policies that you create should not allow wildcard actions for services",
)

ALL_CONTROLS: Final = (S3_2, S3_3, S3_5, S3_8, S3_12, KMS_1, KMS_2, KMS_5, IAM_1, IAM_21)
