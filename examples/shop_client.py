"""A small shop back end's client for two product-photo vendors, as an integrator would write it.

It knows nothing about Darkroom: it talks to the vendors' production URLs unless told otherwise.
``test_shop_client.py`` shows how to test it against the sandbox, in process or over HTTP.
"""

from __future__ import annotations

import time

import requests

AIGENSTUDIO = "https://aigenstudio.app/api/v1"
PRODUCTAI = "https://api.productai.photo/v1"
TERMINAL = {"completed", "partially_completed", "failed", "cancelled", "COMPLETED", "ERROR"}


class VendorError(Exception):
    """A vendor answered with an error; ``code`` is the vendor's own error code."""

    def __init__(self, status: int, code: str | None, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _check(response: requests.Response) -> dict:
    if response.ok:
        return response.json()
    try:
        body = response.json()
    except ValueError:
        raise VendorError(response.status_code, None, response.text) from None
    error = body.get("error") if isinstance(body.get("error"), dict) else body  # AI Gen Studio, v1 / ProductAI /api
    raise VendorError(response.status_code, error.get("code"), error.get("message", ""))


class ShopClient:
    def __init__(self, aigenstudio_key: str, productai_key: str, *, aigenstudio_url: str = AIGENSTUDIO,
                 productai_url: str = PRODUCTAI, session: requests.Session | None = None, timeout: float = 30):
        self.aigenstudio_url = aigenstudio_url.rstrip("/")
        self.productai_url = productai_url.rstrip("/")
        self.http = session or requests.Session()
        self.timeout = timeout
        self._aigenstudio = {"Authorization": f"Bearer {aigenstudio_key}"}
        self._productai_key = productai_key

    # AI Gen Studio Product Photo API
    def packshot(self, sku: str, image_url: str, operation: str = "studio_packshot") -> dict:
        """Start a packshot for one SKU. The idempotency key is the SKU, so a retry never pays twice."""
        body = {"operation": operation, "preservation_level": "strict",
                "images": [{"source_url": image_url, "external_id": sku}]}
        response = self.http.post(f"{self.aigenstudio_url}/product-photo-jobs", json=body, timeout=self.timeout,
                                  headers={**self._aigenstudio, "Idempotency-Key": f"packshot-{sku}"})
        return _check(response)

    def packshot_job(self, job_id: str) -> dict:
        response = self.http.get(f"{self.aigenstudio_url}/product-photo-jobs/{job_id}", headers=self._aigenstudio,
                                 timeout=self.timeout)
        return _check(response)["job"]

    # ProductAI /api
    def lifestyle(self, image_url: str, prompt: str, model: str = "nanobanana") -> int:
        response = self.http.post(f"{self.productai_url}/api/generate", timeout=self.timeout,
                                  headers={"x-api-key": self._productai_key},
                                  json={"image_url": image_url, "prompt": prompt, "model": model})
        return _check(response)["data"]["id"]

    def lifestyle_job(self, job_id: int) -> dict:
        response = self.http.get(f"{self.productai_url}/api/job/{job_id}", timeout=self.timeout,
                                 headers={"x-api-key": self._productai_key})
        return _check(response)["data"]

    def tokens_remaining(self) -> int:
        response = self.http.get(f"{self.productai_url}/api/key-check", timeout=self.timeout,
                                 headers={"x-api-key": self._productai_key})
        return _check(response)["data"]["tokens_remaining"]

    # ProductAI /v1/generate
    def variants(self, image_url: str, prompt: str, count: int = 2, model: str = "nanobanana2") -> str:
        response = self.http.post(f"{self.productai_url}/generate", timeout=self.timeout,
                                  headers={"Authorization": f"Bearer {self._productai_key}"},
                                  json={"model": model, "image_url": image_url, "prompt": prompt, "num_images": count})
        return _check(response)["job_id"]

    def variants_job(self, job_id: str) -> dict:
        response = self.http.get(f"{self.productai_url}/jobs/{job_id}", timeout=self.timeout,
                                 headers={"Authorization": f"Bearer {self._productai_key}"})
        return _check(response)

    # shared
    def wait(self, read, job_id, *, timeout: float = 120, interval: float = 3, sleep=time.sleep) -> dict:
        """Poll ``read(job_id)`` until the job is terminal (every vendor's vocabulary)."""
        deadline = time.monotonic() + timeout
        while True:
            job = read(job_id)
            if job["status"] in TERMINAL:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job['status']}")
            sleep(interval)

    def download(self, url: str) -> bytes:
        response = self.http.get(url, timeout=self.timeout)
        response.raise_for_status()
        return response.content
