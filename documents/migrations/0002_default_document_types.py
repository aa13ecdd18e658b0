"""Decree 30/2020/NĐ-CP Appendix III type codes, plus "Thư mời" (TM) as blocs use it."""

from django.db import migrations

TYPES = [
    # (code, name, is_letter, is_official)
    ("NQ", "Nghị quyết", False, True),
    ("QĐ", "Quyết định", False, True),
    ("CT", "Chỉ thị", False, True),
    ("QC", "Quy chế", False, True),
    ("QyĐ", "Quy định", False, True),
    ("TC", "Thông cáo", False, True),
    ("TB", "Thông báo", False, True),
    ("HD", "Hướng dẫn", False, True),
    ("CTr", "Chương trình", False, True),
    ("KH", "Kế hoạch", False, True),
    ("PA", "Phương án", False, True),
    ("ĐA", "Đề án", False, True),
    ("DA", "Dự án", False, True),
    ("BC", "Báo cáo", False, True),
    ("BB", "Biên bản", False, True),
    ("TTr", "Tờ trình", False, True),
    ("HĐ", "Hợp đồng", False, True),
    ("CĐ", "Công điện", False, True),
    ("BGN", "Bản ghi nhớ", False, True),
    ("BTT", "Bản thỏa thuận", False, True),
    ("GUQ", "Giấy ủy quyền", False, True),
    ("GM", "Giấy mời", False, True),
    ("GGT", "Giấy giới thiệu", False, True),
    ("GNP", "Giấy nghỉ phép", False, True),
    ("PG", "Phiếu gửi", False, True),
    ("PC", "Phiếu chuyển", False, True),
    ("PB", "Phiếu báo", False, True),
    ("", "Công văn", True, True),
    # Not a Decree 30 code, but blocs use it for invitations (seed 000: 01/TM-KTĐMTNB, printed
    # with its "THƯ MỜI" title and a "V/v …" subject under it).
    ("TM", "Thư mời", False, False),
]


def forwards(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for code, name, is_letter, is_official in TYPES:
        DocumentType.objects.update_or_create(
            code=code, defaults={"name": name, "is_letter": is_letter, "is_official": is_official}
        )


def backwards(apps, schema_editor):
    apps.get_model("documents", "DocumentType").objects.filter(code__in=[t[0] for t in TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
