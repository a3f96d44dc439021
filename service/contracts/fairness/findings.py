"""What the linter reports: findings with a severity, and the verdict over all of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# block: cannot go out under the fair label without a written override; warn: both parties acknowledge;
# info: an explanatory note. Ordered from the most to the least severe.
SEVERITIES = ("block", "warn", "info")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str
    message: str
    fix: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def sort_key(self) -> tuple[int, str]:
        return severity_rank(self.severity), self.rule_id


@dataclass(frozen=True)
class LintResult:
    """``fair`` is true exactly when no finding is at block level; info findings never change it."""

    fair: bool
    findings: list[Finding]
    rule_packs: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, findings: list[Finding], rule_packs: tuple[str, ...] = ()) -> LintResult:
        ordered = sorted(findings, key=lambda finding: finding.sort_key)
        return cls(fair=not any(f.severity == "block" for f in ordered), findings=ordered, rule_packs=rule_packs)

    def as_dict(self) -> dict[str, object]:
        return {"fair": self.fair, "findings": [finding.as_dict() for finding in self.findings]}
