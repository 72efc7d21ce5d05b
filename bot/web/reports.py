"""Dashboard reports: how many families the district can still reach, per school and language."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from bot.db import request_session, utcnow
from bot.freshness.report import (
    Counts,
    ReachabilityReport,
    parse_days,
    reachability_report,
    scope_for,
)
from bot.languages import english_name

bp = Blueprint("reports", __name__, url_prefix="/reports")
DAY_CHOICES = (30, 90, 180, 365)
# The chart's bars: the share each stands for, its label and colour.
BARS = (("confirmed_share", "Confirmed", "#2e7d32"), ("stale_share", "Stale", "#b26a00"),
        ("invalid_share", "Invalid", "#a40000"),
        ("unreachable_share", "Unreachable households", "#5b6575"))


@bp.get("/reachability")
@login_required
def reachability() -> str:
    """The table and chart; staff see the district, a liaison their schools and languages."""
    config = current_app.config["PUENTE"]
    try:
        days = parse_days(request.args.get("days"), config.freshness.confirm_after_days)
    except ValueError as exc:
        abort(400, f"days: {exc}")
    school_ids, languages = scope = scope_for(current_user)
    report = reachability_report(request_session(), config, now=utcnow(), days=days,
                                 school_ids=school_ids, languages=languages)
    district = scope == (None, None)
    return render_template("reachability.html", report=report, district=district,
                           chart=chart_groups(report, district), bars=BARS,
                           day_choices=DAY_CHOICES, language_name=language_name,
                           percent=percent)


def chart_groups(report: ReachabilityReport, district: bool) -> list[tuple[str, Counts]]:
    """The chart's groups of bars: every school, after the total when there are several."""
    groups = [(school.name, school.total) for school in report.schools]
    if len(groups) > 1:
        groups.insert(0, ("District" if district else "All yours", report.total))
    return groups


def language_name(tag: str) -> str:
    """The language's English name, or the tag itself when it is not a known one."""
    try:
        return english_name(tag)
    except ValueError:
        return tag


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"
