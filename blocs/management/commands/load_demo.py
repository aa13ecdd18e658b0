from django.conf import settings
from django.core.management.base import BaseCommand

from blocs import demo
from documents import demo as documents_demo
from scoring import demo as scoring_demo


class Command(BaseCommand):
    help = "Load the demo data from the seed documents (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        accounts = demo.load()
        documents_demo.load()
        scoring_demo.load()
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu đã sẵn sàng."))
        self.stdout.write("Tài khoản mẫu (demo accounts):")
        width = max(len(username) for username, _ in accounts)
        for username, role in accounts:
            self.stdout.write(f"  {username.ljust(width)}  {role}")
        if settings.DEBUG:
            self.stdout.write(f"Mật khẩu chung (password): {settings.DEMO_PASSWORD}")
        else:
            self.stdout.write("DEBUG đang tắt: mật khẩu mẫu bị từ chối khi đăng nhập.")
