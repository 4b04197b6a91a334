"""Open generated office files with real LibreOffice (Debian's soffice), headless."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def libreoffice_convert(source: Path, target_format: str) -> Path:
    """Convert `source` with LibreOffice (e.g. xlsx → csv); returns the converted file.

    Outside CI a machine without LibreOffice skips the calling test loudly; under CI it fails.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        message = "LibreOffice not found: office-file test NOT RUN (apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI"):
            pytest.fail(message)
        print("\n!! " + message)
        pytest.skip(message)
    out = source.parent / "converted"
    profile = source.parent / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target_format,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = out / (source.stem + "." + target_format.split(":")[0])
    assert converted.exists(), f"LibreOffice did not convert {source.name}"
    return converted
