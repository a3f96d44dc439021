"""Where the built-in templates and their shared parts live in the repository."""

from __future__ import annotations

from service.config import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "contract_templates"
SHARED_DIR = TEMPLATES_DIR / "_shared"
FONTS_DIR = SHARED_DIR / "fonts"

# The private URL scheme through which documents load bundled assets: fairpact-asset://shared/fonts/x.ttf
# (the shared folder) or fairpact-asset://template/x.png (the template's own folder).
ASSET_SCHEME = "fairpact-asset"
