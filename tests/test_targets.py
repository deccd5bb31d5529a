"""Targets: registry names and values checked (one named error per rule), met or missed by direction."""

from __future__ import annotations

import math
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.cli import main
from creditkpi.core.errors import InvalidTargetError
from creditkpi.dashboard import Dashboard
from creditkpi.dashboard.targets import read_targets, target_status
from tests.test_dashboard import LEDGER


def test_a_mapping_is_read_in_the_registry_order() -> None:
    got = read_targets({"cei": 0.8, "dso": 45, "overdue": Decimal("1500.00")})
    assert got == {"overdue": 1500.0, "dso": 45.0, "cei": 0.8}
    assert list(got) == ["overdue", "dso", "cei"]
    assert read_targets(None) == {} and read_targets({}) == {}


def test_a_toml_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text("# monthly targets\n[targets]\ndso = 45\noverdue_rate = 0.15\n", "utf-8")
    assert read_targets(path) == {"overdue_rate": 0.15, "dso": 45.0}
    assert read_targets(str(path)) == read_targets(path)


@pytest.mark.parametrize(
    ("targets", "rule", "says"),
    [
        ({"dsoo": 45}, "unknown-target", "'dsoo' is not a KPI of the registry; did you mean 'dso'"),
        ({"aging": 1}, "unknown-target", "'aging' is not a KPI of the registry; it is a table"),
        ({"dsoo": 1, "cie": 2}, "unknown-target", "2 unknown: 'dsoo', 'cie'"),
        ({"sales": 1000}, "target-without-direction", "'sales' has no better direction"),
        ({"receivables": 1}, "target-without-direction", "'receivables' has no better"),
        ({"dso": "45"}, "invalid-target", "is not a number (write it without quotes"),
        ({"dso": True}, "invalid-target", "'dso' is not a number"),
        ({"dso": math.nan}, "invalid-target", "is not a finite number"),
        ({"dso": math.inf}, "invalid-target", "is not a finite number"),
        ({"overdue_rate": 15}, "invalid-target", "give a fraction between 0 and 1 (0.15 for 15 %)"),
        ({"cei": -0.1}, "invalid-target", "give a fraction between 0 and 1"),
        ({"overdue": -5}, "invalid-target", "'overdue' must be >= 0"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_each_bad_target_is_a_named_error(targets: dict[str, Any], rule: str, says: str) -> None:
    with pytest.raises(InvalidTargetError, match=rule) as caught:
        read_targets(targets)
    assert says in str(caught.value)
    assert caught.value.column == "targets" and isinstance(caught.value, ValueError)


def test_the_hint_lists_the_names_that_take_targets() -> None:
    with pytest.raises(InvalidTargetError) as caught:
        read_targets({"dsoo": 45})
    names = str(caught.value.hint).split(": ", 1)[1].split(", ")
    assert "dso" in names and "overdue_rate" in names
    assert "sales" not in names and "receivables" not in names  # no direction


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "no such file"),
        ("[targets\ndso = 45\n", "is not TOML"),
        ("dso = 45\n", "has no [targets] table"),
        ("[targets]\ndso = 45\n[other]\nx = 1\n", "more than a [targets] table ('other')"),
        ("[targets]\ndso = 'quick'\n", "'dso' is not a number"),
    ],
    ids=["missing", "not-toml", "flat", "other-table", "text-value"],
)
def test_a_bad_file_is_a_named_error(tmp_path: Path, text: str | None, says: str) -> None:
    path = tmp_path / "targets.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidTargetError) as caught:
        read_targets(path)
    assert says in str(caught.value)
    assert caught.value.rule in ("unreadable-targets", "invalid-target")


def test_met_or_missed_by_the_direction() -> None:
    kpis = pd.DataFrame(
        {"label": ["a", "b", "c", "d"], "current": [45.0, 45.1, 0.80, math.nan]},
        index=pd.Index(["dso", "days_late", "cei", "recovery_rate"], name="kpi"),
    )
    status = target_status(kpis, {"dso": 45, "days_late": 45, "cei": 0.8, "recovery_rate": 0.5})
    # lower is better for DSO: on the target is met, above is missed; CEI: higher is better
    assert status["status"].to_dict() == {
        "dso": "met",
        "days_late": "missed",
        "cei": "met",
        "recovery_rate": "no value",
    }
    assert status.at["days_late", "gap"] == pytest.approx(0.1)
    assert math.isnan(status.at["recovery_rate", "gap"])
    # a KPI the dashboard leaves out (no disputes here) has no value
    assert target_status(kpis, {"dispute_rate": 0.05})["status"].tolist() == ["no value"]


@pytest.fixture(scope="module")
def board() -> Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(LEDGER, "2024-04", targets={"dso": 100, "overdue_rate": 0.5})


def test_the_dashboard_holds_its_targets_and_round_trips_them(board: Dashboard) -> None:
    status = board.target_status()
    rate = board.kpis.at["overdue_rate", "current"]
    assert status.at["overdue_rate", "status"] == ("met" if rate <= 0.5 else "missed")
    dso = board.kpis.at["dso", "current"]  # 2200 / 700 x 30 = 94.3 days
    assert status.at["dso", "status"] == ("met" if dso <= 100 else "missed") == "met"
    again = Dashboard.from_json(board.to_json())
    assert again.targets == board.targets
    pd.testing.assert_frame_equal(again.target_status(), status)
    assert board.with_targets({"cei": 0.9}).targets == {"cei": 0.9}


def test_bad_targets_stop_the_dashboard_before_any_work() -> None:
    with pytest.raises(InvalidTargetError, match="unknown-target"):
        ck.dashboard(LEDGER, "2024-04", targets={"days_sales_outstanding": 45})


def test_the_command_reads_a_targets_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "targets.toml"
    good.write_text("[targets]\ndso = 45\n", encoding="utf-8")
    assert main(["demo", "--targets", str(good), "-f", "json", "-q"]) == 0
    assert '"targets": {\n    "dso": 45.0' in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("[targets]\ndsoo = 45\n", encoding="utf-8")
    assert main(["demo", "--targets", str(bad), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("creditkpi: error: unknown-target: 'dsoo'")
    # the targets file is an input: never overwritten
    assert main(["demo", "--targets", str(good), "-f", "csv", "-o", str(good), "--force"]) == 2
    assert "is an input file" in capsys.readouterr().err
