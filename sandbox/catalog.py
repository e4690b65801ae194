"""Catalog data: credit costs, presets, tools, models and status vocabularies.

Seed values are marked in comments; everything else is inferred, published through the catalog
endpoints, and listed in the README.
"""

from __future__ import annotations

# AI Gen Studio Product Photo operations. studio_packshot = 5 is seed 001's example; the rest inferred.
PRODUCT_PHOTO_OPERATIONS = {
    "product_photo_enhance": {"name": "Product photo enhance", "credits_per_image": 3,
                              "description": "Improve light, colour and sharpness without changing the product."},
    "remove_background": {"name": "Remove background", "credits_per_image": 2,
                          "description": "Cut the product out onto a transparent background."},
    "studio_packshot": {"name": "Studio packshot", "credits_per_image": 5,
                        "description": "Create a clean studio product image."},
    "marketplace_clean": {"name": "Marketplace clean", "credits_per_image": 4,
                          "description": "Pure white background framed for marketplace listings."},
    "natural_lifestyle": {"name": "Natural lifestyle", "credits_per_image": 8,
                          "description": "Place the product in a natural lifestyle scene."},
    "premium_ad": {"name": "Premium ad", "credits_per_image": 10,
                   "description": "An advertising visual with a generated scene."},
}

PRODUCT_PHOTO_PRESETS = {
    "marketplace_clean_catalog": {"name": "Marketplace clean catalog", "operation": "marketplace_clean",
                                  "preservation_level": "strict",
                                  "description": "White background, centred product, marketplace margins."},
    "single_product_white_background": {"name": "Single product on white", "operation": "studio_packshot",
                                        "preservation_level": "strict",
                                        "description": "One product on a seamless white studio background."},
    "transparent_cutout": {"name": "Transparent cutout", "operation": "remove_background",
                           "preservation_level": "strict", "description": "Product cut out with alpha."},
    "catalog_enhance": {"name": "Catalog enhance", "operation": "product_photo_enhance",
                        "preservation_level": "balanced", "description": "Levels, white balance and sharpening."},
    "natural_kitchen_scene": {"name": "Natural kitchen scene", "operation": "natural_lifestyle",
                              "preservation_level": "balanced", "description": "A bright kitchen counter scene."},
    "hero_ad_banner": {"name": "Hero ad banner", "operation": "premium_ad",
                       "preservation_level": "creative", "description": "A bold ad visual with a banner band."},
}
DEFAULT_PRODUCT_PHOTO_OPERATION = "studio_packshot"

# AI Gen Studio Image API tools (ToolId from seed 004; costs inferred).
IMAGE_TOOLS = {
    "remove_background": {"name": "Remove Background", "path": "/remove-background", "credits_per_image": 1,
                          "description": "Remove or replace image backgrounds while preserving product edges."},
    "image_editing": {"name": "Image Editing", "path": "/image-editing", "credits_per_image": 1,
                      "description": "Deterministic adjustments: levels, colour and sharpness."},
    "image_ai_edit": {"name": "Image AI Edit", "path": "/image-ai-edit", "credits_per_image": 3,
                      "description": "Edit an image from written instructions."},
    "ai_background": {"name": "AI Background", "path": "/ai-background", "credits_per_image": 3,
                      "description": "Generate a new scene behind the product from a prompt."},
    "image_generation": {"name": "Image Generation", "path": "/image-generation", "credits_per_image": 3,
                         "description": "Generate an image from a prompt, with no input image."},
    "ad_creative": {"name": "Ad Creative", "path": "/ad-creative", "credits_per_image": 5,
                    "description": "An ad visual with a headline band."},
}

# ProductAI /api/generate models (seed 002 table) and other costs.
PRODUCTAI_MODELS = {
    "gpt-low": 2, "gpt-medium": 3, "gpt-high": 8, "kontext-pro": 2, "kontext-max": 3,
    "nanobanana": 3, "nanobananapro": 8, "seedream": 3,
}
PRODUCTAI_UPSCALE_TOKENS = 20  # seed 002
PRODUCTAI_CUSTOM_MODEL_TOKENS = 8  # inferred

# ProductAI v1 models (seed 003 table); cost is credits x num_images.
PRODUCTAI_V1_MODELS = {
    "nanobanana2": 5, "nanobananapro": 8, "nanobanana": 3, "kontext-pro": 3, "kontext-max": 3,
    "seedream": 3, "gpt-high": 8,
}
PRODUCTAI_V1_PRESETS = {
    "preset_marble_table": {"name": "Marble table", "prompt": "Place the product on a marble table with soft natural lighting",
                            "description": "Bright marble surface, soft daylight."},
    "preset_sunset_beach": {"name": "Sunset beach", "prompt": "Place the product on a sunset beach",
                            "description": "Warm golden-hour beach scene."},
    "preset_studio_white": {"name": "Studio white", "prompt": "Place the product on a seamless white studio background",
                            "description": "Clean white studio backdrop."},
    "preset_kitchen_counter": {"name": "Kitchen counter", "prompt": "Place the product on a kitchen counter",
                               "description": "Homely kitchen scene."},
}

# Lifecycle states (internal) -> each API's own vocabulary.
VOCABULARY = {
    "aigenstudio": {"queued": "queued", "processing": "processing", "completed": "completed",
                    "partially_completed": "partially_completed", "failed": "failed", "cancelled": "cancelled"},
    "productai": {"queued": "NOT_STARTED", "processing": "RUNNING", "completed": "COMPLETED",
                  "partially_completed": "COMPLETED", "failed": "ERROR", "cancelled": "ERROR"},
    "productai_v1": {"queued": "pending", "processing": "processing", "completed": "completed",
                     "partially_completed": "completed", "failed": "failed", "cancelled": "failed"},
}
TERMINAL = frozenset({"completed", "partially_completed", "failed", "cancelled"})
