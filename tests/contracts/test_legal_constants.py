"""Legal constants are dated values: the value in force on a contract's date, never a guess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from service.contracts.legal_constants import (
    LegalConstantError,
    LegalConstantsFileError,
    legal_constant,
    legal_constant_entry,
    load_legal_constants,
)


@pytest.mark.parametrize(
    ("on", "rate"),
    [(date(2025, 1, 1), "5.0"), (date(2025, 12, 31), "5.0"), (date(2026, 1, 1), "4.9"), (date(2031, 6, 1), "4.9")],
)
def test_the_ksk_rate_follows_the_contract_date(on: date, rate: str) -> None:
    assert legal_constant("DE_KSK_RATE", on=on) == Decimal(rate)


@pytest.mark.parametrize(
    ("on", "threshold"),
    [(date(2015, 1, 1), 450), (date(2024, 12, 31), 450), (date(2025, 7, 1), 700), (date(2026, 1, 1), 1000)],
)
def test_the_ksk_de_minimis_has_three_periods(on: date, threshold: int) -> None:
    assert legal_constant("DE_KSK_DEMINIMIS_EUR", on=on) == threshold


def test_an_entry_carries_its_period_and_source() -> None:
    entry = legal_constant_entry("DE_KSK_RATE", on=date(2025, 3, 1))
    assert (entry.valid_from, entry.valid_until) == (date(2025, 1, 1), date(2025, 12, 31))
    assert "Künstlersozialabgabe" in entry.source


def test_mapping_values_are_exact_and_read_only() -> None:
    kill_fee = legal_constant("BENCH_KILL_FEE_PCT", on=date(2026, 1, 1))
    assert dict(kill_fee) == {"before_production": 25, "after_production_start": 50, "after_delivery": 100}
    with pytest.raises(TypeError):
        kill_fee["after_delivery"] = 0  # type: ignore[index]


def test_an_unknown_constant_is_an_error() -> None:
    with pytest.raises(LegalConstantError, match="Unknown legal constant 'DE_KSK_RAT'"):
        legal_constant("DE_KSK_RAT", on=date(2026, 1, 1))


def test_a_date_before_the_first_value_is_an_error_naming_the_first_date() -> None:
    with pytest.raises(LegalConstantError, match="no value on 2024-12-31: its first value applies from 2025-01-01"):
        legal_constant("DE_KSK_RATE", on=date(2024, 12, 31))


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "constants.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_overlapping_periods_are_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
version: "t"
constants:
  X:
    unit: days
    description: test
    values:
      - {value: 1, valid_from: 2025-01-01, valid_until: 2025-12-31, source: a}
      - {value: 2, valid_from: 2025-06-01, source: b}
""",
    )
    with pytest.raises(LegalConstantsFileError, match="overlaps"):
        load_legal_constants(path)


def test_a_value_without_a_source_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
version: "t"
constants:
  X:
    unit: days
    description: test
    values:
      - {value: 1, valid_from: 2025-01-01}
""",
    )
    with pytest.raises(LegalConstantsFileError, match="has no source"):
        load_legal_constants(path)


def test_a_gap_between_values_has_no_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
version: "t"
constants:
  X:
    unit: days
    description: test
    values:
      - {value: 1, valid_from: 2025-01-01, valid_until: 2025-03-31, source: a}
      - {value: 2, valid_from: 2025-07-01, source: b}
""",
    )
    constants = load_legal_constants(path)
    assert constants.entry("X", date(2025, 3, 31)).value == 1
    assert constants.entry("X", date(2025, 7, 1)).value == 2
    with pytest.raises(LegalConstantError, match="no value in force on 2025-05-01"):
        constants.entry("X", date(2025, 5, 1))
