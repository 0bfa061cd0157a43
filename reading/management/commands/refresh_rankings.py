from django.core.management.base import BaseCommand

from reading import services


class Command(BaseCommand):
    help = "重新计算本学期借阅排行（全校与各年级）。每天第一次登录后的请求也会自动计算。"

    def handle(self, *args, **options):
        places = services.rankings_refresh()
        self.stdout.write(f"借阅排行已重新计算：{places} 个名次。")
