"""Helpers of the contract journey tests: a brand with a creator, drafts through the API, signing links from
the real mailbox, and the signing page driven the way a browser submits it."""

from __future__ import annotations

import base64
import io
import re
import uuid
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from tenants.roles import Role
from tests.factories import bearer
from tests.support.mailbox import Mailbox, body_of
from tests.support.web import csrf_token

SIGN_LINK = re.compile(r"https?://[^/\s]+(/sign/[A-Za-z0-9_-]+)")
DOWNLOAD_LINK = re.compile(r"https?://[^/\s]+(/download/[A-Za-z0-9_-]+)")

FAIR_TERMS: dict[str, Any] = {
    "meta": {"jurisdiction": "DE", "languages": ["de", "en"]},
    "deliverables": [{"platform": "instagram", "format": "reel", "quantity": 2}],
    "compensation": {"fee_net": 1800},
}


@dataclass(frozen=True)
class Scene:
    tenant_id: uuid.UUID
    owner_email: str
    creator_id: uuid.UUID
    creator_email: str
    key: str
    manager_key: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)


def brand_scene(seed: Any, name: str = "Nordlicht Naturkosmetik") -> Scene:
    brand = seed.make_tenant(name=name)
    creator = seed.make_creator(brand.id, email=f"lena.{uuid.uuid4().hex[:6]}@creators.example")
    return Scene(
        tenant_id=brand.id,
        owner_email=brand.owner.email,
        creator_id=creator.id,
        creator_email=creator.email,
        key=seed.make_api_key(brand.id, Role.ADMIN),
        manager_key=seed.make_api_key(brand.id, Role.MANAGER),
    )


def create_contract(client: Any, scene: Scene, terms: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body = {
        "template": "influencer_collaboration",
        "creator_id": str(scene.creator_id),
        "brand_signatory": {"name": "Nora Lindqvist", "email": "nora@nordlicht.example"},
        "terms": FAIR_TERMS if terms is None else terms,
        **extra,
    }
    response = client.post("/api/v1/contracts", json=body, headers=scene.headers)
    assert response.status_code == 201, response.json
    return response.json


def send(client: Any, scene: Scene, contract_id: str, **body: Any) -> Any:
    return client.post(f"/api/v1/contracts/{contract_id}/send", json=body, headers=scene.headers)


def sign_link(mailbox: Mailbox, address: str) -> str:
    """The path of the newest signing link emailed to ``address``."""
    for message in reversed(mailbox.to(address)):
        found = SIGN_LINK.search(body_of(message))
        if found:
            return found.group(1)
    raise AssertionError(f"no signing link to {address}; got {[m['To'] for m in mailbox.messages]}")


def download_link(mailbox: Mailbox, address: str) -> str:
    for message in reversed(mailbox.to(address)):
        found = DOWNLOAD_LINK.search(body_of(message))
        if found:
            return found.group(1)
    raise AssertionError(f"no download link to {address}")


def drawn_signature() -> str:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((10, 80, 100, 20, 290, 50), fill=(20, 20, 120, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def sign_form(client: Any, path: str, **fields: Any) -> Any:
    """Submit the signing form as the page offers it: consent, the acknowledgement, the signature, labelling."""
    data = {
        "csrf_token": csrf_token(client, path),
        "consent": "yes",
        "acknowledge": "yes",
        "typed_signature": "Nora Lindqvist",
        **fields,
    }
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def creator_labelling(**overrides: Any) -> dict[str, Any]:
    return {
        "label": "Werbung",
        "placement": "start_of_post",
        "posts": ["Instagram Reel 1", "Instagram Reel 2"],
        "typed_signature": None,
        "drawn_signature": drawn_signature(),
        **overrides,
    }
