from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from awards import demo as awards_demo
from blocs import demo
from covenants import demo as covenants_demo
from covenants.sealing import signing_p12_path
from documents import demo as documents_demo
from meetings import demo as meetings_demo
from scoring import demo as scoring_demo


class Command(BaseCommand):
    help = "Load the demo data from the seed documents (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        accounts = demo.load()
        documents_demo.load()
        scoring_demo.load()
        # The demo covenants are sealed: without a certificate, make the development one first.
        # One that exists (a development one, or the organisation's own) is never touched.
        path = signing_p12_path()
        if path and not Path(path).is_file():
            call_command("make_dev_certificate", stdout=self.stdout, stderr=self.stderr)
        covenants_demo.load()
        awards_demo.load()  # after scoring: the KTĐTN 2021 nominees are its top-ranked units
        meetings_demo.load()  # last: links the covenant, the flag round and the summary table
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu đã sẵn sàng."))
        self.stdout.write("Tài khoản mẫu (demo accounts):")
        width = max(len(username) for username, _ in accounts)
        for username, role in accounts:
            self.stdout.write(f"  {username.ljust(width)}  {role}")
        if settings.DEBUG:
            self.stdout.write(f"Mật khẩu chung (password): {settings.DEMO_PASSWORD}")
        else:
            self.stdout.write("DEBUG đang tắt: mật khẩu mẫu bị từ chối khi đăng nhập.")
        if settings.OTP_REQUIRED:
            self.stdout.write(
                "Xác thực hai bước bắt buộc với thường trực khối, lãnh đạo đơn vị và Văn phòng "
                "thi đua của Bộ: lần đăng nhập đầu, các tài khoản này đăng ký ứng dụng xác thực."
            )
        else:
            self.stdout.write(
                "Xác thực hai bước không bắt buộc trong bản demo (OTP_REQUIRED=0); ai cũng có thể "
                "tự bật tại trang Bảo mật tài khoản (/tai-khoan/bao-mat/)."
            )
