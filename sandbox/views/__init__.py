"""Vendor-shaped bodies for jobs, one module per vendor family."""

from __future__ import annotations


def render_job(sandbox, job, now, base_url) -> dict:
    """A job as its own API shows it (webhook payloads reuse the read body)."""
    from sandbox.views.aigenstudio import image_job, product_photo_job
    from sandbox.views.productai import api_job, v1_job

    view = {"aigenstudio-product-photo": product_photo_job, "aigenstudio-image": image_job,
            "productai": api_job, "productai-v1": v1_job}[job.namespace]
    return view(sandbox, job, now, base_url)
