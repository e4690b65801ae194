"""Testing ``shop_client`` against Darkroom, the way an integrator would.

Run with ``pytest examples/ -p sandbox.pytest_plugin`` (or plain ``pytest examples/`` once the
plugin is installed). Every test runs twice: against ``darkroom`` (in process; the client keeps the
vendors' production URLs) and against ``darkroom_server`` (a real local HTTP server; the client is
pointed at its URLs). ``darkroom_clock`` moves sandbox time, so nothing here sleeps.
"""

from __future__ import annotations

import pytest
from shop_client import ShopClient, VendorError

PRODUCT = "https://example.com/product.jpg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def no_sleep(_seconds):
    pytest.fail("the job was not finished after the clock moved")


@pytest.fixture(params=["darkroom", "darkroom_server"])
def sandbox(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def urls(request, sandbox):
    """In process the client keeps its production URLs; over HTTP it is pointed at the sandbox."""
    if request.node.callspec.params["sandbox"] == "darkroom":
        return {}
    return {"aigenstudio_url": sandbox.base_urls["aigenstudio-product-photo"],
            "productai_url": sandbox.base_urls["productai"]}


@pytest.fixture
def shop(sandbox, urls):
    return ShopClient(sandbox.keys["sandbox"], sandbox.keys["sandbox"], **urls)


def test_packshot_with_a_sandbox_key_is_simulated_and_free(shop):
    created = shop.packshot("SKU-1", PRODUCT)
    assert created["job"]["sandbox"] is True
    assert created["job"]["status"] == "queued"
    assert created["job"]["credits_reserved"] == 0


def test_retrying_a_packshot_returns_the_same_job(shop):
    first = shop.packshot("SKU-2", PRODUCT)
    again = shop.packshot("SKU-2", PRODUCT)
    assert again["job"]["id"] == first["job"]["id"]


def test_reusing_a_sku_for_another_image_is_a_conflict(shop):
    shop.packshot("SKU-3", PRODUCT)
    with pytest.raises(VendorError) as failure:
        shop.packshot("SKU-3", "https://example.com/other.jpg")
    assert failure.value.status == 409


def test_packshot_completes_when_the_clock_moves(shop, darkroom_clock):
    job_id = shop.packshot("SKU-4", PRODUCT)["job"]["id"]
    assert shop.packshot_job(job_id)["status"] == "queued"
    darkroom_clock.advance(60)
    job = shop.wait(shop.packshot_job, job_id, sleep=no_sleep)
    assert job["status"] == "completed"
    result = job["items"][0]["results"][0]
    assert result["url"].endswith(".png")
    assert result["width"] > 0 and result["height"] > 0


def test_lifestyle_result_downloads_as_png(shop, darkroom_clock):
    job_id = shop.lifestyle(PRODUCT, "Make the background a sunset beach")
    darkroom_clock.advance(60)
    job = shop.wait(shop.lifestyle_job, job_id, sleep=no_sleep)
    assert job["status"] == "COMPLETED"
    assert shop.download(job["image_url"]).startswith(PNG_SIGNATURE)


def test_variants_come_back_as_requested(shop, darkroom_clock):
    job_id = shop.variants(PRODUCT, "On a marble table", count=3)
    darkroom_clock.advance(60)
    job = shop.wait(shop.variants_job, job_id, sleep=no_sleep)
    assert job["status"] == "completed"
    assert len(job["images"]) == 3


def test_live_key_pays_the_model_price(sandbox, urls):
    shop = ShopClient(sandbox.keys["live_demo"], sandbox.keys["live_demo"], **urls)
    before = shop.tokens_remaining()
    shop.lifestyle(PRODUCT, "Studio light", model="nanobananapro")
    assert shop.tokens_remaining() == before - 8  # nanobananapro: 8 credits (ProductAI price table)


def test_empty_account_is_refused_with_402(sandbox, urls):
    shop = ShopClient(sandbox.keys["live_empty"], sandbox.keys["live_empty"], **urls)
    with pytest.raises(VendorError) as failure:
        shop.lifestyle(PRODUCT, "Studio light")
    assert (failure.value.status, failure.value.code) == (402, "OUT_OF_TOKENS")


def test_wrong_key_is_refused_in_each_vendors_words(urls):
    shop = ShopClient("not-a-key", "not-a-key", **urls)
    with pytest.raises(VendorError) as productai:
        shop.tokens_remaining()
    with pytest.raises(VendorError) as aigenstudio:
        shop.packshot("SKU-5", PRODUCT)
    assert (productai.value.status, productai.value.code) == (401, "INVALID_API_KEY")
    assert (aigenstudio.value.status, aigenstudio.value.code) == (401, "invalid_api_key")


def test_one_tenant_cannot_read_another_tenants_job(sandbox, urls):
    mine = ShopClient("sandbox_shop_a", "sandbox_shop_a", **urls)
    theirs = ShopClient("sandbox_shop_b", "sandbox_shop_b", **urls)
    job_id = mine.lifestyle(PRODUCT, "Sunset")
    with pytest.raises(VendorError) as failure:
        theirs.lifestyle_job(job_id)
    assert failure.value.status == 404
