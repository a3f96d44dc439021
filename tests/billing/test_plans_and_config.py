"""Plans are configuration: the shipped file loads, mistakes stop the start with every problem named,
the Stripe settings are validated, and without STRIPE_SECRET_KEY billing is simply off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from service.billing.plans import DEVELOPMENT_PLAN, load_catalogue, parse_catalogue
from service.config import PROJECT_ROOT, ConfigError, load_config
from tests.billing.conftest import TEST_PLANS

SHIPPED = PROJECT_ROOT / "service" / "billing" / "plans.yaml"


def test_the_shipped_plans_load():
    catalogue = load_catalogue(SHIPPED)

    assert list(catalogue.plans) == ["brand", "growth", "agency"]
    assert catalogue.trial.trial_days == 14 and not catalogue.trial.purchasable
    agency = catalogue.plans["agency"]
    assert agency.seat_price and catalogue.plan_for_price(agency.seat_price) is agency
    assert agency.usage["disclosure_check"].overage and agency.usage["disclosure_check"].limit is None
    assert catalogue.meters["sealed_contract"].event_name == "fairpact_sealed_contract"


def test_every_mistake_in_the_plans_is_named_at_once():
    document = yaml.safe_load(TEST_PLANS.read_text())
    document["plans"]["brand"]["prices"]["seats"] = "not-a-price"
    document["plans"]["brand"]["usage"]["coffee"] = {"included": 1}
    document["plans"]["agency"]["seats"]["included"] = -2
    document["plans"]["agency"]["prices"]["disclosure_check"] = "price_test_brand_checks"  # used twice
    document["meters"]["disclosure_check"]["meter_id"] = "meter-1"
    document["plans"]["trial"] = document["plans"]["brand"]

    with pytest.raises(ConfigError) as caught:
        parse_catalogue(document, source="plans.yaml")

    text = str(caught.value)
    for complaint in (
        "plans.brand.prices.seats must be a price_... id",
        "plans.brand.usage has unknown kinds ['coffee']",
        "plans.agency.seats.included must be a whole number",
        "price price_test_brand_checks is used twice",
        "meters.disclosure_check.meter_id must be a mtr_... id or null",
        "plans: 'trial' is reserved",
    ):
        assert complaint in text


def test_an_unreadable_plans_file_stops_the_start(tmp_path):
    broken = tmp_path / "plans.yaml"
    broken.write_text("plans: [unclosed")

    with pytest.raises(ConfigError, match="cannot be read as YAML"):
        load_catalogue(broken)


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"STRIPE_SECRET_KEY": "pk_test_public"}, "STRIPE_SECRET_KEY must be a Stripe secret"),
        ({"STRIPE_SECRET_KEY": "sk_test_x"}, "STRIPE_WEBHOOK_SECRET is required"),
        ({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "secret"}, "whsec_"),
        (
            {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x", "BILLING_PLANS_FILE": "/nope.yaml"},
            "BILLING_PLANS_FILE='/nope.yaml' is not a readable file",
        ),
        ({"BILLING_GRACE_DAYS": "-1"}, "BILLING_GRACE_DAYS must be at least 0"),
        ({"BILLING_AUTOMATIC_TAX": "perhaps"}, "BILLING_AUTOMATIC_TAX"),
    ],
)
def test_stripe_settings_are_validated(tmp_path, settings, complaint):
    with pytest.raises(ConfigError, match=complaint):
        load_config({"FAIRPACT_INSTANCE_DIR": str(tmp_path), **settings})


def test_without_keys_billing_is_off(tmp_path):
    config = load_config({"FAIRPACT_INSTANCE_DIR": str(tmp_path)})

    assert config["BILLING_ENABLED"] is False and config["BILLING_GRACE_DAYS"] == 7
    assert DEVELOPMENT_PLAN.usage["disclosure_check"].limit is None


def test_with_keys_the_app_loads_the_plans(tmp_path):
    from service.app import create_app

    app = create_app(
        env={
            "FAIRPACT_INSTANCE_DIR": str(tmp_path),
            "STRIPE_SECRET_KEY": "sk_test_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_x",
            "BILLING_PLANS_FILE": str(TEST_PLANS),
        }
    )

    assert app.config["BILLING_ENABLED"] is True
    assert list(app.extensions["fairpact_billing_catalogue"].plans) == ["brand", "agency"]


def test_the_billing_code_type_checks_against_the_stripe_sdk():
    """mypy reads the SDK's own type hints (it ships py.typed): the gateway's calls match Stripe's API."""
    import stripe

    assert (Path(stripe.__file__).parent / "py.typed").exists()
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "service/billing", "workers/billing.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
