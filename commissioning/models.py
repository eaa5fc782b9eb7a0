"""Organisations, people, memberships and the shared model bases."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import CommissionerKind, JobStatus, OrganisationKind, Role

ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,6}$", "Enter an ODS code of 3 to 6 capital letters and digits, like 36L or H85001."
)
gss_code_validator = RegexValidator(
    r"^[EWSN]\d{8}$", "Enter a GSS code: a letter E, W, S or N then 8 digits, like E09000029."
)
cqc_provider_id_validator = RegexValidator(
    r"^1-\d{9,11}$", "Enter a CQC provider ID: 1- then 9 to 11 digits, like 1-101634215."
)


class TrackedModel(models.Model):
    """Created and modified on/by for every model that people edit."""

    created_on = models.DateTimeField(default=timezone.now, editable=False)
    modified_on = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        abstract = True


class JobRecord(models.Model):
    """The status of a long piece of work (an import, a recompute, a PDF) that people watch.

    Progress is written outside the work's own transaction so that it is visible while
    the work runs; the log is kept for the record.
    """

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_on = models.DateTimeField(default=timezone.now)
    started_on = models.DateTimeField(null=True, blank=True)
    finished_on = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    log = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.REJECTED, JobStatus.FAILED}

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person (or a partner system's API client) who signs in by email."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the Django admin site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class Organisation(TrackedModel):
    """An organisation in the area: commissioner, council, provider, trust or other partner.

    NHS commissioners carry an ODS code (and a GSS code where ONS publishes one);
    councils a GSS code; care providers a CQC provider ID.
    """

    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    commissioner_kind = models.CharField(
        max_length=16, choices=CommissionerKind.choices, blank=True,
        help_text="For NHS commissioners only: CCG, ICB or sub-ICB location.",
    )
    name = models.CharField(max_length=200)
    ods_code = models.CharField("ODS code", max_length=6, blank=True,
                                validators=[ods_code_validator])
    gss_code = models.CharField("GSS code", max_length=9, blank=True,
                                validators=[gss_code_validator])
    cqc_provider_id = models.CharField("CQC provider ID", max_length=13, blank=True,
                                       validators=[cqc_provider_id_validator])
    brand_name = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text="For a sub-ICB location, its ICB.",
    )
    is_served = models.BooleanField(
        "served by this deployment", default=False,
        help_text="For councils: homes in this council's area are imported from the CQC directory.",
    )
    cqc_area_name = models.CharField(
        max_length=200, blank=True,
        help_text="The name the CQC directory uses for this council, if it differs from the name.",
    )
    is_archived = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ods_code"], condition=~Q(ods_code=""),
                                    name="organisation_unique_ods_code"),
            models.UniqueConstraint(fields=["gss_code"], condition=~Q(gss_code=""),
                                    name="organisation_unique_gss_code"),
            models.UniqueConstraint(fields=["cqc_provider_id"], condition=~Q(cqc_provider_id=""),
                                    name="organisation_unique_cqc_provider_id"),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.NHS_COMMISSIONER) | Q(commissioner_kind=""),
                name="organisation_commissioner_kind_only_for_nhs",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.CARE_PROVIDER) | ~Q(cqc_provider_id=""),
                name="organisation_provider_has_cqc_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.ods_code or self.gss_code or self.cqc_provider_id


class Membership(TrackedModel):
    """A person's role in an organisation.

    A care home manager's membership is in their provider and is scoped either to all of
    the provider's homes or to the homes named in ``care_homes``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    all_provider_homes = models.BooleanField(
        default=False, help_text="Care home managers: every home of the provider."
    )
    care_homes = models.ManyToManyField(
        "carehomes.CareHome", blank=True, related_name="manager_memberships",
        help_text="Care home managers: the homes this person manages.",
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[care_homes])

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"],
                                    name="membership_unique_user_organisation_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"
