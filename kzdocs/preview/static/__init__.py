"""The preview page, its script and style, shipped with the package (no CDN, no network)."""
