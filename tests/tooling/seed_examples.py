"""The vendors' own example requests, taken from the seeds (or from the copy below without them).

Seeds 002 and 003 show curl commands and a Python snippet; seeds 000 and 004 carry example request
bodies in their OpenAPI blocks. Parsing the seed text itself means a test breaks when an example
stops working, not when somebody's paraphrase of it does.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PLACEHOLDER_KEY = "YOUR_API_KEY"

# Used only when the seed folder is not beside the repository: the examples, verbatim.
EMBEDDED = {
    "002": """
### Example Request (Single Image)

```bash
curl -X POST https://api.productai.photo/v1/api/generate \\
  -H "x-api-key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "image_url": "https://example.com/photo.jpg",
    "prompt": "Make the background a sunset beach",
    "model": "nanobananapro",
    "output_format": "png",
    "aspect_ratio": "LANDSCAPE",
    "resolution": "2K"
  }'
```

### Example Request (Multiple Images)

```bash
curl -X POST https://api.productai.photo/v1/api/generate \\
  -H "x-api-key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "image_url": ["https://example.com/product1.jpg", "https://example.com/product2.jpg"],
    "prompt": "Place the first product on top of the second product",
    "model": "nanobanana",
    "output_format": "png"
  }'
```

### Example Request

```bash
curl -H "x-api-key: YOUR_API_KEY" \\
  https://api.productai.photo/v1/api/job/12345
```

### Example Request

```bash
curl -X POST https://api.productai.photo/v1/api/upscale \\
  -H "x-api-key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "image_url": "https://example.com/photo.jpg"
  }'
```

### Example Request

```bash
curl -X POST https://api.productai.photo/v1/api/generate-custom-model \\
  -H "x-api-key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "image_url": "https://example.com/photo.jpg",
    "prompt": "Transform into brand style",
    "model": "custom-owesa-avatars"
  }'
```

### Example Request

```bash
curl -H "x-api-key: YOUR_API_KEY" \\
  https://api.productai.photo/v1/api/key-check
```
""",
    "003": """
Example Request

curl -X POST "https://api.productai.photo/v1/generate" \\
  -H "Authorization: Bearer YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "model": "nanobanana2",
    "image_url": "https://example.com/product.jpg",
    "prompt": "Place the product on a marble table with soft natural lighting and a minimalist background",
    "num_images": 2,
    "aspect_ratio": "1:1"
  }'

Response

Python

import requests

response = requests.post(
    "https://api.productai.photo/v1/generate",
    headers={
        "Authorization": "Bearer YOUR_API_KEY",
        "Content-Type": "application/json"
    },
    json={
        "model": "nanobanana2",
        "image_url": "https://example.com/product.jpg",
        "prompt": "Place the product on a marble table with soft lighting"
    }
)

data = response.json()
job_id = data["job_id"]
print(f"Job created: {job_id}")

JavaScript / Node.js
""",
}

EMBEDDED_BODIES = {
    ("000", "createProductPhotoJob"): {
        "live": {"operation": "marketplace_clean", "preset": "marketplace_clean_catalog",
                 "preservation_level": "strict",
                 "instructions": "Keep the packaging, label, and product color unchanged.",
                 "webhook_url": "https://client.example/webhooks/aigenstudio",
                 "images": [{"source_url": "https://client.example/images/yogurt-001.jpg",
                             "external_id": "yogurt-001"}]},
        "sandbox": {"operation": "studio_packshot", "preset": "single_product_white_background",
                    "preservation_level": "strict",
                    "images": [{"source_url": "https://example.com/product.jpg", "external_id": "local-test-001"}]},
    },
    ("004", "removeBackground"): {
        "example": {"input": [{"image_url": "https://client.example/images/shoe-001.jpg", "external_id": "shoe-001"}],
                    "background": {"type": "transparent"}, "output": {"format": "png"}},
    },
}


@dataclass
class CurlRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    heading: str  # the nearest heading above it, to name the test case


def seed_text(number: str) -> tuple[str, bool]:
    """(text, from_seed): the seed file when present, else the embedded copy."""
    matches = sorted(SEEDS_DIR.glob(f"{number}_*.txt"))
    if matches:
        return matches[0].read_text(encoding="utf-8"), True
    return EMBEDDED[number], False


_CURL = re.compile(r"^curl ", re.M)
_HEADING = re.compile(r"^(?:#+ )?(Example Request[^\n]*)$", re.M)


def curl_examples(text: str) -> list[CurlRequest]:
    """Every curl command that follows an "Example Request" heading."""
    found = []
    headings = [(m.start(), m.group(1)) for m in _HEADING.finditer(text)]
    for match in _CURL.finditer(text):
        above = [h for pos, h in headings if pos < match.start()]
        if not above:
            continue  # e.g. the authentication illustration, not an example request
        words = _command_at(text, match.start())
        method, url, headers, body = "GET", None, {}, None
        args = iter(words[1:])
        for word in args:
            if word == "-X":
                method = next(args)
            elif word == "-H":
                name, _, value = next(args).partition(":")
                headers[name.strip()] = value.strip()
            elif word in ("-d", "--data"):
                body = next(args)
                method = "POST" if method == "GET" else method
            elif not word.startswith("-"):
                url = word
        found.append(CurlRequest(method, url, headers, body, above[-1]))
    return found


def _command_at(text: str, start: int) -> list[str]:
    """The shell words of the command starting at ``start``: lines until quotes close and no ``\\`` ends one."""
    lines = text[start:].split("\n")
    for count in range(1, len(lines) + 1):
        chunk = "\n".join(lines[:count])
        if chunk.rstrip().endswith("\\"):
            continue
        try:
            return shlex.split(chunk.replace("\\\n", " "))
        except ValueError:
            continue
    raise ValueError(f"unterminated command at {start}")


def python_example(text: str) -> str:
    """The seed's Python snippet, from ``import requests`` to its last ``print``."""
    start = text.index("import requests")
    end = text.index("\n", text.index("print(", start))
    return text[start:end + 1]


def example_bodies(number: str, operation_id: str) -> tuple[dict[str, dict], bool]:
    """name -> example request body of an operation, from the seed's OpenAPI block."""
    matches = sorted(SEEDS_DIR.glob(f"{number}_*.txt"))
    if not matches:
        return EMBEDDED_BODIES[(number, operation_id)], False
    text = matches[0].read_text(encoding="utf-8")
    block = re.search(r"^(`{3,})yaml[^\n]*\n(.*?)^\1[ \t]*$", text, re.M | re.S).group(2)
    document = yaml.safe_load(block)
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                media = operation["requestBody"]["content"]["application/json"]
                if "examples" in media:
                    return {name: example["value"] for name, example in media["examples"].items()}, True
                return {"example": media["example"]}, True
    raise LookupError(f"{operation_id} not in seed {number}")
