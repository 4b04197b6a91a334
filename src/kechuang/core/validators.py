"""Validators shared by models, forms and API schemas."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Magic numbers of the document types bureaus accept; the extension alone proves nothing.
_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def validate_upload(upload) -> None:
    """Accept only PDF, PNG or JPEG files within the configured size."""
    if getattr(upload, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    limit = settings.KECHUANG_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    name = upload.name.lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    signatures = _SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError(_("只接受 PDF、PNG 或 JPG 文件。"), code="file_type")
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            _("文件内容与扩展名不符，请上传真实的 PDF、PNG 或 JPG 文件。"), code="file_type"
        )


def validate_spreadsheet(upload) -> None:
    """Accept only a real .xlsx workbook within the configured upload size (core.validators' rule for sheets)."""
    limit = settings.KECHUANG_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError(_("只接受 Excel 工作簿（.xlsx）文件，请使用下载的模板。"), code="file_type")
    head = upload.read(4)
    upload.seek(0)
    try:
        names = set(zipfile.ZipFile(upload).namelist()) if head == b"PK\x03\x04" else set()
    except zipfile.BadZipFile:
        names = set()
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise ValidationError(
            _("文件内容不是 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后上传。"), code="file_type"
        )
