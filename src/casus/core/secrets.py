"""Local secrets for development and the demo: generated once, kept outside the repository."""

import secrets
from pathlib import Path


def local_secret(data_dir: Path, name: str) -> str:
    """Return the secret stored in ``data_dir/name``, creating it on first use.

    Only the demo and development use this; production settings require the environment.
    """
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value)
    return value
