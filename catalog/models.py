from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class ClcClass(models.Model):
    """One node of the Chinese Library Classification table (中图法)."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("正式类目")
        ALTERNATIVE = "alternative", _("交替类目")
        DISCONTINUED = "discontinued", _("停用/概括类目")
        RANGE = "range", _("类目范围")

    code = models.CharField(_("分类号"), max_length=40, primary_key=True)
    name = models.CharField(_("类名"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("上位类"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("层级"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.NORMAL)
    sort_key = models.CharField(_("排序键"), max_length=120, db_index=True)

    class Meta:
        verbose_name = _("中图法类目")
        verbose_name_plural = _("中图法类目")
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(models.Model):
    """A place where copies stand (书库, 阅览室, 班级图书角 ...): a managed list."""

    name = models.CharField(_("馆藏地点"), max_length=60, unique=True)
    code = models.CharField(_("代码"), max_length=20, unique=True)
    is_lendable = models.BooleanField(_("可外借"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("馆藏地点")
        verbose_name_plural = _("馆藏地点")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ReaderLevel(models.TextChoices):
    LOWER = "lower", _("低年级")
    MIDDLE = "middle", _("中年级")
    UPPER = "upper", _("高年级")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    TEACHER = "teacher", _("教师用书")


class IsbnSharedReason(models.TextChoices):
    """Why a record carries an ISBN another record already has (chosen explicitly when cataloguing)."""

    VOLUME = "volume", _("多卷书：同一 ISBN 的另一册")
    EDITION = "edition", _("不同版本：同一 ISBN 的另一版本或印次")


# 语种 (MARC language codes, ISO 639-2/B) offered as a list; other codes already stored stay valid.
LANGUAGES = [
    ("chi", _("中文")),
    ("eng", _("英语")),
    ("jpn", _("日语")),
    ("kor", _("朝鲜语/韩语")),
    ("rus", _("俄语")),
    ("fre", _("法语")),
    ("ger", _("德语")),
    ("spa", _("西班牙语")),
    ("ita", _("意大利语")),
    ("ara", _("阿拉伯语")),
    ("mon", _("蒙古语")),
    ("tib", _("藏语")),
    ("uig", _("维吾尔语")),
    ("mul", _("多语种")),
    ("und", _("未知语种")),
]


class Record(models.Model):
    """A bibliographic record (种): one title/edition."""

    title = models.CharField(_("正题名"), max_length=300)
    other_title = models.CharField(_("其他题名/副题名"), max_length=300, blank=True)
    series = models.CharField(_("丛编"), max_length=300, blank=True)
    volume = models.CharField(_("分册/卷次"), max_length=60, blank=True)
    edition = models.CharField(_("版本"), max_length=100, blank=True)
    responsibility = models.CharField(_("责任说明"), max_length=300, blank=True)
    authors = models.CharField(_("著者"), max_length=300, blank=True, help_text=_("多个著者以分号分隔"))
    publisher = models.CharField(_("出版者"), max_length=200, blank=True)
    pub_place = models.CharField(_("出版地"), max_length=100, blank=True)
    pub_year = models.PositiveSmallIntegerField(_("出版年"), null=True, blank=True)
    pages = models.CharField(_("页数"), max_length=60, blank=True)
    price = models.DecimalField(
        _("定价"), max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True, help_text=_("规范化为 ISBN-13"))
    # 统一书号 of books published before ISBNs (1956–1986), e.g. 10019·1234 (CNMARC 091 $a).
    unified_number = models.CharField(_("统一书号"), max_length=20, blank=True, db_index=True)
    clc = models.CharField(_("中图法分类号"), max_length=60, blank=True, db_index=True)
    clc_edition = models.PositiveSmallIntegerField(_("分类法版次"), default=4)
    clc_base = models.CharField(_("基本大类"), max_length=2, blank=True, db_index=True)
    book_number = models.CharField(_("书次号（种次号）"), max_length=40, blank=True)
    call_number = models.CharField(_("索书号"), max_length=100, blank=True, db_index=True)
    shelf_key = models.CharField(_("排架键"), max_length=200, blank=True, db_index=True)
    subjects = models.CharField(_("主题词"), max_length=300, blank=True)
    summary = models.TextField(_("提要"), blank=True)
    language = models.CharField(_("语种"), max_length=3, choices=LANGUAGES, default="chi")
    isbn_shared_reason = models.CharField(
        _("同一ISBN的另一种书"), max_length=20, choices=IsbnSharedReason.choices, blank=True
    )
    reader_level = models.CharField(_("适读对象"), max_length=20, choices=ReaderLevel.choices, blank=True)
    cover = models.ImageField(_("封面"), upload_to="covers/", blank=True)
    # Kept by catalog.services in the same transaction as the record (search, 查重).
    title_normalized = models.CharField(_("规范题名"), max_length=300, blank=True, db_index=True)
    first_author_normalized = models.CharField(_("规范第一著者"), max_length=200, blank=True)
    title_pinyin = models.CharField(_("题名拼音"), max_length=600, blank=True)
    title_initials = models.CharField(_("题名拼音首字母"), max_length=300, blank=True)
    # Space-separated lexemes made by catalog.textsearch; a trigger turns them into search_document.
    search_text = models.TextField(_("检索词"), blank=True, default="", editable=False)
    search_document = SearchVectorField(null=True, editable=False)
    # Locations holding at least one copy in the collection (kept by catalog.services): OPAC facets
    # and the location filter read it from the matched rows instead of joining the copies.
    location_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("编目时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编目员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("书目")
        verbose_name_plural = _("书目")
        indexes = [
            GinIndex(fields=["search_document"], name="catalog_record_search_gin"),
            # The reports: the last catalogue edit (the summary cache's fingerprint) and each lent
            # title's CLC class read from the index alone (the rows are wide: 138 MB for 60,000 titles).
            models.Index(fields=["updated_at"], name="catalog_record_updated_at"),
            models.Index(fields=["id"], include=["clc_base"], name="catalog_record_id_clc_base"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="catalog_record_price_not_negative"
            ),
            # A 种次号 names one title within its class number; the volumes of a set (and the bound
            # volumes of a periodical) share it and differ by volume, as their call numbers do.
            models.UniqueConstraint(
                fields=["clc", "book_number", "volume"],
                condition=~Q(book_number=""),
                name="catalog_record_book_number_unique_in_class",
                violation_error_message=_("这个种次号在本分类号下已被使用。请换一个种次号，或留空自动取号。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AcquisitionBatch(models.Model):
    """总括登记: a delivery of new books checked in (验收)."""

    number = models.CharField(_("批次号"), max_length=40, unique=True)
    received_on = models.DateField(_("验收日期"))
    supplier = models.CharField(_("供应商"), max_length=200, blank=True)
    invoice_number = models.CharField(_("发票号"), max_length=60, blank=True)
    invoice_total = models.DecimalField(_("发票金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, default="purchase")
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("验收批次")
        verbose_name_plural = _("验收批次")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return self.number


class WithdrawalReason(models.TextChoices):
    DAMAGED = "damaged", _("破损")
    OUTDATED = "outdated", _("内容陈旧")
    SURPLUS = "surplus", _("复本过多")
    LOST = "lost", _("遗失")
    UNSUITABLE = "unsuitable", _("内容不适宜")


class WithdrawalBatch(models.Model):
    """注销批次: copies written off together, with a printable 清册."""

    number = models.CharField(_("注销批次号"), max_length=40, unique=True)
    withdrawn_on = models.DateField(_("注销日期"))
    reason = models.CharField(_("注销原因"), max_length=20, choices=WithdrawalReason.choices)
    approver = models.CharField(_("审批人"), max_length=60, blank=True)
    disposal = models.CharField(_("处置方式"), max_length=60, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("注销批次")
        verbose_name_plural = _("注销批次")
        ordering = ["-withdrawn_on", "-id"]

    def __str__(self) -> str:
        return self.number


class CopyStatus(models.TextChoices):
    ON_SHELF = "on_shelf", _("在架")
    ON_LOAN = "on_loan", _("借出")
    ON_HOLD = "on_hold", _("预约保留")
    REPAIR = "repair", _("修补中")
    LOST = "lost", _("遗失")
    WITHDRAWN = "withdrawn", _("剔除")


class CopySource(models.TextChoices):
    PURCHASE = "purchase", _("采购")
    DONATION = "donation", _("捐赠")
    TRANSFER = "transfer", _("调拨")


class Copy(models.Model):
    """A copy (册) with its accession number, which is also its barcode (登记号)."""

    barcode = models.CharField(_("登记号/条码"), max_length=32, unique=True)
    record = models.ForeignKey(Record, verbose_name=_("书目"), on_delete=models.PROTECT, related_name="copies")
    location = models.ForeignKey(Location, verbose_name=_("馆藏地点"), on_delete=models.PROTECT, related_name="copies")
    price = models.DecimalField(_("价格"), max_digits=9, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=CopySource.choices, default=CopySource.PURCHASE)
    batch = models.ForeignKey(
        AcquisitionBatch,
        verbose_name=_("验收批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
    )
    acquired_on = models.DateField(_("入藏日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CopyStatus.choices, default=CopyStatus.ON_SHELF, db_index=True
    )
    volume_label = models.CharField(_("卷册"), max_length=40, blank=True)
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    withdrawal = models.ForeignKey(
        WithdrawalBatch,
        verbose_name=_("注销批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
    )
    withdrawn_on = models.DateField(_("注销日期"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("注销原因"), max_length=20, choices=WithdrawalReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("馆藏复本")
        verbose_name_plural = _("馆藏复本")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(status__in=["withdrawn", "lost"]),
                name="catalog_copy_withdrawn_has_status",
            ),
        ]
        indexes = [
            models.Index(fields=["record", "status"], name="catalog_copy_record_status"),
            # The reports: the title of each lent copy from the index alone.
            models.Index(fields=["id"], include=["record"], name="catalog_copy_id_record"),
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def in_collection(self) -> bool:
        return self.withdrawn_on is None


class CopyStatusChange(models.Model):
    """Append-only history of a copy's status: who changed it, when and why."""

    copy = models.ForeignKey(Copy, verbose_name=_("复本"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=CopyStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CopyStatus.choices)
    changed_at = models.DateTimeField(_("时间"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("复本状态变更")
        verbose_name_plural = _("复本状态变更")
        ordering = ["-changed_at", "-id"]


class BookNumberCounter(models.Model):
    """The last 种次号 given within one class number (种次号库). Locked row per class number."""

    clc = models.CharField(_("分类号"), max_length=60, primary_key=True)
    last_number = models.PositiveIntegerField(_("已用最大种次号"), default=0)

    class Meta:
        verbose_name = _("种次号")
        verbose_name_plural = _("种次号")


class BarcodeSequence(models.Model):
    """The accession-number sequence: prefix + zero-padded running number (e.g. A0012345)."""

    name = models.CharField(_("名称"), max_length=30, unique=True, default="default")
    prefix = models.CharField(_("前缀"), max_length=10, blank=True, default="A")
    width = models.PositiveSmallIntegerField(_("数字位数"), default=7)
    next_value = models.PositiveBigIntegerField(_("下一个号码"), default=1)

    class Meta:
        verbose_name = _("登记号序列")
        verbose_name_plural = _("登记号序列")

    def __str__(self) -> str:
        return f"{self.prefix}{str(self.next_value).zfill(self.width)}"


class ImportLog(models.Model):
    """One imported file (Excel or MARC): its hash makes importing the same file twice a no-op."""

    class Kind(models.TextChoices):
        EXCEL = "excel", _("Excel")
        CNMARC = "cnmarc", _("CNMARC")
        MARC21 = "marc21", _("MARC21")

    sha256 = models.CharField(_("文件摘要"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    filename = models.CharField(_("文件名"), max_length=200)
    records_created = models.PositiveIntegerField(_("新增书目"), default=0)
    records_matched = models.PositiveIntegerField(_("已有书目"), default=0)
    copies_created = models.PositiveIntegerField(_("新增复本"), default=0)
    records_pooled = models.PositiveIntegerField(_("放入书目数据源"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]


class SourceFile(models.Model):
    """One file of bibliographic records put into the source pool (书目数据源): a supplier's MARC
    file, a union-catalogue dump. Its records wait there to be copied into the catalogue."""

    name = models.CharField(_("名称"), max_length=200)
    origin = models.CharField(_("来源说明"), max_length=200, blank=True)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    flavour = models.CharField(_("MARC 格式"), max_length=10, blank=True)
    encoding = models.CharField(_("字符编码"), max_length=20, blank=True)
    record_count = models.PositiveIntegerField(_("记录数"), default=0)
    skipped_count = models.PositiveIntegerField(_("无法读取的记录"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数据源文件")
        verbose_name_plural = _("数据源文件")
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sha256"], name="catalog_sourcefile_unique_sha256")]

    def __str__(self) -> str:
        return self.name


class SourceRecord(models.Model):
    """One bibliographic record of the pool, as read from its file (no holdings)."""

    file = models.ForeignKey(SourceFile, verbose_name=_("数据源文件"), on_delete=models.CASCADE, related_name="records")
    number = models.PositiveIntegerField(_("文件中的序号"))
    isbn13 = models.CharField(_("ISBN"), max_length=13, blank=True)
    unified_number = models.CharField(_("统一书号"), max_length=20, blank=True)
    title = models.CharField(_("题名"), max_length=300, blank=True)
    authors = models.CharField(_("著者"), max_length=300, blank=True)
    publisher = models.CharField(_("出版者"), max_length=200, blank=True)
    pub_year = models.PositiveSmallIntegerField(_("出版年"), null=True, blank=True)
    clc = models.CharField(_("中图法分类号"), max_length=40, blank=True)
    price = models.DecimalField(_("定价"), max_digits=9, decimal_places=2, null=True, blank=True)
    fields = models.JSONField(_("书目数据"), default=dict)
    marc = models.BinaryField(_("MARC 记录"), default=b"")

    class Meta:
        verbose_name = _("数据源记录")
        verbose_name_plural = _("数据源记录")
        ordering = ["file_id", "number"]
        # One plain b-tree for the ISBN look-up (db_index would add a second, LIKE index that only
        # slows the bulk load down); a partial one for the few records with a 统一书号; trigram
        # indexes (pg_trgm) for the title/author search, on UPPER() because that is what Django's
        # icontains compares.
        indexes = [
            models.Index(fields=["isbn13"], name="catalog_sourcerecord_isbn13"),
            models.Index(
                fields=["unified_number"],
                name="catalog_sourcerecord_unified",
                condition=~Q(unified_number=""),
            ),
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="catalog_srcrec_title_trgm"),
            GinIndex(OpClass(Upper("authors"), name="gin_trgm_ops"), name="catalog_srcrec_authors_trgm"),
        ]

    def __str__(self) -> str:
        return self.title


class Z3950Target(models.Model):
    """A Z39.50 server the cataloguers copy records from (国家图书馆, CALIS, a district's union catalogue)."""

    class Syntax(models.TextChoices):
        CNMARC = "cnmarc", _("CNMARC")
        UNIMARC = "unimarc", _("UNIMARC")
        MARC21 = "marc21", _("MARC21")

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", _("UTF-8")
        GB18030 = "gb18030", _("GB18030 / GBK")
        MARC8 = "marc-8", _("MARC-8")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    host = models.CharField(_("主机"), max_length=200, help_text=_("服务器的域名或 IP 地址"))
    port = models.PositiveIntegerField(_("端口"), default=210)
    database = models.CharField(_("数据库名"), max_length=100)
    syntax = models.CharField(_("记录格式"), max_length=10, choices=Syntax.choices, default=Syntax.CNMARC)
    encoding = models.CharField(_("字符编码"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    timeout = models.PositiveSmallIntegerField(_("超时（秒）"), default=10)
    enabled = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    user = models.CharField(_("用户名"), max_length=100, blank=True)
    password = models.CharField(_("密码"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Z39.50 服务器")
        verbose_name_plural = _("Z39.50 服务器")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(port__gte=1, port__lte=65535), name="catalog_z3950target_port_range"
            ),
            models.CheckConstraint(
                condition=models.Q(timeout__gte=1, timeout__lte=120), name="catalog_z3950target_timeout_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name
