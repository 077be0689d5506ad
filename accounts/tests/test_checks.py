"""The deploy check: a production without the second factor is told so."""

from django.core.checks import run_checks


def deploy_warnings() -> list[str]:
    return [
        message.id
        for message in run_checks(include_deployment_checks=True)
        if message.id.startswith("accounts.")
    ]


def test_the_deploy_check_warns_when_the_second_factor_is_off(settings):
    settings.OTP_REQUIRED = False
    assert deploy_warnings() == ["accounts.W001"]


def test_the_deploy_check_is_quiet_when_it_is_on(settings):
    settings.OTP_REQUIRED = True
    assert deploy_warnings() == []
