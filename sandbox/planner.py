"""What a create request asks for: items, outputs, cost and how each result is rendered.

One small function per create operation, keyed by operationId, turns a validated body into a
:class:`Plan`; ``assets`` looks up the caller's own uploads. Costs come from :mod:`sandbox.catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox import catalog, scenarios
from sandbox.errors import ApiError
from sandbox.jobs import Item

DEFAULT_SIZE = (1024, 1024)


@dataclass
class Plan:
    kind: str
    items: list[Item]
    cost: int
    pipeline: str
    params: dict = field(default_factory=dict)
    format: str = "png"
    size: tuple[int, int] | None = DEFAULT_SIZE  # None: follows the source image (upscale)
    scale: int = 1
    slow: bool = False
    webhook_url: str | None = None


def _items(images: list[dict], url_key: str, outputs: int) -> list[Item]:
    items = []
    for index, image in enumerate(images):
        url = image.get(url_key)
        failure = None
        if scenarios.unreachable(url):
            failure = "image_unreachable"
        elif scenarios.mentions("sandbox-fail", url):
            failure = "processing_failed"
        items.append(Item(index, url, image.get("external_id"), outputs, failure))
    return items


def _texts(body: dict) -> list:
    """Every text a magic token may hide in. Undocumented extra fields (schemas allow them) are
    ignored whatever their shape."""
    texts = [body.get(k) for k in ("prompt", "instructions", "headline", "call_to_action", "image_url")]
    for name in ("images", "input"):
        images = body.get(name)
        for image in images if isinstance(images, list) else []:
            if isinstance(image, dict):
                texts.append(image.get("source_url") or image.get("image_url"))
    if isinstance(body.get("image_url"), list):
        texts.extend(body["image_url"])
    return texts


def product_photo(body: dict, assets=None) -> Plan:
    preset_id = body.get("preset")
    preset = catalog.PRODUCT_PHOTO_PRESETS.get(preset_id) if preset_id else None
    if preset_id and preset is None:
        raise ApiError("preset_not_found", f"Unknown preset {preset_id!r}; see GET /product-photo-presets.")
    operation = body.get("operation") or (preset or {}).get("operation") or catalog.DEFAULT_PRODUCT_PHOTO_OPERATION
    if scenarios.mentions("sandbox-content-policy", *_texts(body)):
        raise ApiError("content_policy", "The request violates the Product Photo content policy.")
    level = body.get("preservation_level") or (preset or {}).get("preservation_level") or "strict"
    items = _items(body["images"], "source_url", 1)
    cost = catalog.PRODUCT_PHOTO_OPERATIONS[operation]["credits_per_image"] * len(items)
    return Plan(operation, items, cost, operation,
                {"preservation_level": level, "preset": preset_id, "instructions": body.get("instructions")},
                slow=scenarios.slow(*_texts(body)), webhook_url=body.get("webhook_url"))


def image_tool(tool: str):
    """Create operations of the Image API that take input images."""

    def plan(body: dict, assets=None) -> Plan:
        output = body.get("output") or {}
        outputs = int(output.get("number_of_images", 1))  # 2.0 is a valid JSON integer
        items = _items(body.get("input") or [], "image_url", outputs)
        background = body.get("background") or {}
        params = {
            "background_type": background.get("type", "transparent"),
            "background_color": background.get("color"),
            "instructions": body.get("instructions"),
            "prompt": body.get("prompt"),
            "headline": body.get("headline"),
            "call_to_action": body.get("call_to_action"),
            "adjustments": body.get("adjustments"),
        }
        cost = catalog.IMAGE_TOOLS[tool]["credits_per_image"] * sum(i.outputs for i in items)
        return Plan(tool, items, cost, tool, {k: v for k, v in params.items() if v is not None},
                    format=output.get("format", "png"), slow=scenarios.slow(*_texts(body)),
                    webhook_url=body.get("webhook_url"))

    return plan


def image_generation(body: dict, assets=None) -> Plan:
    from sandbox.engine.sizes import output_size

    output = body.get("output") or {}
    outputs = int(output.get("number_of_images", 1))
    items = [Item(0, None, None, outputs, "processing_failed" if scenarios.mentions("sandbox-fail", body["prompt"]) else None)]
    cost = catalog.IMAGE_TOOLS["image_generation"]["credits_per_image"] * outputs
    return Plan("image_generation", items, cost, "image_generation", {"prompt": body["prompt"]},
                format=output.get("format", "png"), size=output_size(body.get("aspect_ratio", "1:1"), "1K"),
                slow=scenarios.slow(body["prompt"]), webhook_url=body.get("webhook_url"))


def _productai_item(body: dict) -> list[Item]:
    urls = body["image_url"] if isinstance(body["image_url"], list) else [body["image_url"]]
    for url in urls:
        if scenarios.unreachable(url):
            raise ApiError("invalid_image", f"Image URL is not reachable: {url}", field="image_url")
    failed = scenarios.mentions("sandbox-fail", body.get("prompt"), *urls)
    return [Item(0, urls[0], None, 1, "processing_failed" if failed else None)]


def productai_generate(body: dict, assets=None) -> Plan:
    from sandbox.engine.sizes import output_size

    model = body["model"]
    default_resolution = "2K" if model.startswith("nanobanana") else "1K"
    size = output_size(body.get("aspect_ratio", "SQUARE"), body.get("resolution", default_resolution))
    fmt = "jpg" if body.get("output_format") in ("jpg", "jpeg") else "png"
    return Plan(model, _productai_item(body), catalog.PRODUCTAI_MODELS.get(model, 3), "productai_generate",
                {"model": model, "prompt": body["prompt"]}, format=fmt, size=size,
                slow=scenarios.slow(*_texts(body)))


def productai_upscale(body: dict, assets=None) -> Plan:
    return Plan("upscale", _productai_item(body), catalog.PRODUCTAI_UPSCALE_TOKENS, "productai_upscale",
                {"scale": 2}, size=None, scale=2, slow=scenarios.slow(body["image_url"]))


def productai_custom(body: dict, assets=None) -> Plan:
    return Plan(body["model"], _productai_item(body), catalog.PRODUCTAI_CUSTOM_MODEL_TOKENS, "productai_custom_model",
                {"model": body["model"], "prompt": body["prompt"]}, slow=scenarios.slow(*_texts(body)))


def productai_v1_generate(body: dict, assets) -> Plan:
    from sandbox.engine.sizes import output_size

    preset_id = body.get("preset_id")
    if preset_id and preset_id not in catalog.PRODUCTAI_V1_PRESETS:
        raise ApiError("preset_not_found", f"Unknown preset_id {preset_id!r}; see GET /v1/presets.")
    url, failed_asset = body.get("image_url"), False
    if body.get("asset_id"):
        asset = assets(body["asset_id"])
        if asset is None:
            raise ApiError("asset_not_found", f"Unknown asset_id {body['asset_id']!r}.")
        url = asset["url"]
        if asset.get("width") is None:  # accepted at upload, but not a readable image
            failed_asset = True
    elif scenarios.unreachable(url):
        raise ApiError("invalid", f"Image URL is not reachable: {url}", field="image_url")
    model, count = body["model"], int(body.get("num_images", 1))
    failure = "invalid_image" if failed_asset else (
        "processing_failed" if scenarios.mentions("sandbox-fail", body.get("prompt"), url) else None)
    items = [Item(0, url, None, count, failure)]
    return Plan(model, items, catalog.PRODUCTAI_V1_MODELS[model] * count, "productai_v1_generate",
                {"model": model, "prompt": body.get("prompt"), "preset_id": preset_id},
                size=output_size(body.get("aspect_ratio", "1:1"), "1K"), slow=scenarios.slow(*_texts(body)),
                webhook_url=body.get("webhook_url"))


PLANS = {
    "createProductPhotoJob": product_photo,
    "removeBackground": image_tool("remove_background"),
    "imageEditing": image_tool("image_editing"),
    "imageAiEdit": image_tool("image_ai_edit"),
    "aiBackground": image_tool("ai_background"),
    "adCreative": image_tool("ad_creative"),
    "imageGeneration": image_generation,
    "generate": productai_generate,
    "upscale": productai_upscale,
    "generateCustomModel": productai_custom,
    "createGeneration": productai_v1_generate,
}
