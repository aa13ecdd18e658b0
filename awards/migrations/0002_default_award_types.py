"""Award types as data (DOMAIN §4): who may receive each, and the reward multiplier."""

from decimal import Decimal

from django.db import migrations

TYPES = [
    ("co-thi-dua-bo", "Cờ thi đua của Bộ", "collective", Decimal("8.0"),
     "Tặng tập thể dẫn đầu phong trào thi đua của Khối, qua bình xét, bỏ phiếu trong Khối."),
    ("co-thi-dua-chinh-phu", "Đề nghị Cờ thi đua của Chính phủ", "collective", Decimal("12.0"),
     "Chỉ cho đơn vị được Khối suy tôn dẫn đầu; số đề nghị không quá 20% số đơn vị dẫn đầu."),
    ("bang-khen-tap-the", "Bằng khen của Bộ trưởng (tập thể)", "collective", None, ""),
    ("bang-khen-ca-nhan", "Bằng khen của Bộ trưởng (cá nhân)", "individual", None, ""),
    ("dien-hinh-tap-the", "Tập thể điển hình tiên tiến", "collective", None, ""),
    ("dien-hinh-ca-nhan", "Cá nhân điển hình tiên tiến", "individual", None, ""),
]


def forwards(apps, schema_editor):
    AwardType = apps.get_model("awards", "AwardType")
    for position, (code, name, recipient, multiplier, description) in enumerate(TYPES, start=1):
        AwardType.objects.update_or_create(code=code, defaults={
            "name": name, "recipient": recipient, "salary_multiplier": multiplier, "description": description,
            "position": position})


def backwards(apps, schema_editor):
    apps.get_model("awards", "AwardType").objects.filter(code__in=[t[0] for t in TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
