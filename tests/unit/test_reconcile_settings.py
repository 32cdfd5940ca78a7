"""Reconciliation's settings: daily by default, bounded, and refused naming the variable."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.config import ReconcileSettings, Settings
from consent.errors import ConfigurationError

DAILY = ReconcileSettings(dt.timedelta(days=1), 200, dt.timedelta(milliseconds=500))


def test_the_settings_default_to_daily_two_hundred_a_run_half_a_second_apart() -> None:
    assert ReconcileSettings.from_env({}) == DAILY
    custom = {
        "KOSKI_RECONCILE_INTERVAL_HOURS": "6",
        "KOSKI_RECONCILE_BATCH": "50",
        "KOSKI_RECONCILE_PAUSE_MS": "0",
    }
    settings = ReconcileSettings.from_env(custom)
    assert settings == ReconcileSettings(dt.timedelta(hours=6), 50, dt.timedelta(0))
    assert not ReconcileSettings.from_env({"KOSKI_RECONCILE_INTERVAL_HOURS": "0"}).enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KOSKI_RECONCILE_INTERVAL_HOURS", "-1"),
        ("KOSKI_RECONCILE_INTERVAL_HOURS", "daily"),
        ("KOSKI_RECONCILE_INTERVAL_HOURS", "9000"),
        ("KOSKI_RECONCILE_BATCH", "0"),
        ("KOSKI_RECONCILE_BATCH", "100000"),
        ("KOSKI_RECONCILE_PAUSE_MS", "-5"),
    ],
)
def test_a_setting_out_of_range_stops_the_start_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        ReconcileSettings.from_env({name: value})


def test_the_settings_of_a_process_carry_them() -> None:
    settings = Settings.from_env({"KOSKI_RECONCILE_BATCH": "20"})
    assert settings.reconcile == ReconcileSettings(dt.timedelta(days=1), 20, DAILY.pause)
