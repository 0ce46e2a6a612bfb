"""Publishing a period: compute with analytics (read), freeze with survey.service (write)."""

from app.directory import Unit
from app.periods import Period


class NothingToPublish(ValueError):
    """The period has no responses."""


def publish_period(*, unit: Unit, period: Period, published_by: str):
    """Freeze a unit's results for a period with its rendered poster; returns (publication, dashboard). Flushes.

    :raise NothingToPublish: no responses in the period.
    :raise survey.service.AlreadyPublishedError: the period is already frozen.
    """
    from analytics.poster import ikm_poster
    from analytics.reports import build_dashboard, snapshot
    from analytics.views import results_url
    from survey.service import publish_results

    dashboard = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period)
    if not dashboard.result.has_data:
        raise NothingToPublish(f"Tidak ada respons pada {period.label}; tidak ada yang dipublikasikan.")
    url = results_url(unit)
    publication = publish_results(
        unit=unit,
        period_key=period.key,
        snapshot=snapshot(dashboard),
        poster_png=ikm_poster(dashboard, results_url=url, fmt="png"),
        poster_pdf=ikm_poster(dashboard, results_url=url, fmt="pdf"),
        published_by=published_by,
    )
    return publication, dashboard
