"""National Quality Dashboard: indicators, observations, imports and stored SPC results.

Writes go through `dashboard.services` (imports, catalogue edits) and `dashboard.recompute`
(SPC results); reads of provider data go through `dashboard.access`.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qsg import dimensions
from qsg.models import Job, Provider, User

INDICATOR_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,39}$",
    "Use 2 to 40 capital letters, numbers and underscores, starting with a letter, like AE_4HR",
)


class Indicator(models.Model):
    """One indicator of the dashboard, with how to read it."""

    class Domain(models.TextChoices):
        PREMATURE_DEATH = "1", "1: Preventing people from dying prematurely"
        LONG_TERM_CONDITIONS = "2", "2: Quality of life for people with long-term conditions"
        RECOVERY = "3", "3: Helping people recover from ill health or injury"
        EXPERIENCE = "4", "4: A positive experience of care"
        SAFETY = "5", "5: Safe care, protected from avoidable harm"
        CONTEXT = "context", "Context: organisational and regulatory measures"

    class Direction(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"
        NEUTRAL = "neutral", "Neither (neutral)"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly (financial-year quarters)"
        ANNUAL = "annual", "Annual (financial years)"

    class Kind(models.TextChoices):
        PROPORTION = "proportion", "Proportion (numerator out of denominator)"
        RATE = "rate", "Rate (events per unit of exposure)"
        MEASURE = "measure", "Measure (a value with no denominator)"

    code = models.CharField(max_length=40, unique=True, validators=[INDICATOR_CODE_VALIDATOR])
    name = models.CharField(max_length=200)
    metric = models.CharField(
        max_length=300, help_text="What is measured, in the guidance's words."
    )
    domain = models.CharField("Outcomes Framework domain", max_length=10, choices=Domain.choices)
    # The code of a qsg.QualityDimension row (not a foreign key: the rows differ per profile); the
    # services accept the codes the deployment's profile offers (qsg.dimensions).
    quality_dimension = models.CharField(max_length=20)
    unit = models.CharField(
        max_length=40, help_text="For example percent, ratio, per 1000 bed days"
    )
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        default=Kind.MEASURE,
        help_text="Proportions and rates keep their numerator and denominator and get funnel-plot "
        "limits in peer comparison.",
    )
    multiplier = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(1e-9)],
        help_text="Value = numerator / denominator x multiplier (100 for a percentage).",
    )
    improvement_direction = models.CharField(max_length=10, choices=Direction.choices)
    frequency = models.CharField(
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
        help_text="How often a value is published: each point of its SPC charts is one period.",
    )
    target = models.FloatField(
        null=True, blank=True, help_text="Optional. Gives the assurance icon in SPC charts."
    )
    target_note = models.CharField(max_length=200, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    definition = models.TextField(
        blank=True, help_text="How the indicator is constructed, its source and caveats."
    )
    source = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["domain", "code"]
        permissions = [("load_observations", "Can load indicator data and run recomputes")]
        constraints = [
            models.CheckConstraint(
                name="indicator_multiplier_positive", condition=Q(multiplier__gt=0)
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:indicator-detail", args=[self.code])

    def get_quality_dimension_display(self) -> str:
        return dimensions.label(self.quality_dimension)

    @property
    def has_denominator(self) -> bool:
        return self.kind in {self.Kind.PROPORTION, self.Kind.RATE}

    def period_label(self, day, *, long: bool = False) -> str:
        from .periods import label

        return label(day, self.frequency, long=long)

    @property
    def direction_code(self) -> int:
        return {"increase": 1, "decrease": -1}.get(self.improvement_direction, 0)


# What analysts may change in the catalogue (the code is fixed once created).
INDICATOR_EDITABLE = (
    "name",
    "metric",
    "domain",
    "quality_dimension",
    "unit",
    "kind",
    "multiplier",
    "improvement_direction",
    "frequency",
    "target",
    "target_note",
    "notes",
    "definition",
    "source",
    "is_active",
)


class ColumnMapping(models.Model):
    """How to read someone else's CSV or Excel file: which column holds what."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    provider_column = models.CharField(max_length=80, default="provider")
    period_column = models.CharField(max_length=80, default="period")
    indicator_column = models.CharField(
        max_length=80, blank=True, help_text="Leave blank when every row is for one indicator."
    )
    fixed_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The indicator of every row, when the file has no indicator column.",
    )
    value_column = models.CharField(max_length=80, blank=True)
    numerator_column = models.CharField(max_length=80, blank=True)
    denominator_column = models.CharField(max_length=80, blank=True)
    filter_column = models.CharField(
        max_length=80, blank=True, help_text="Only rows whose value in this column matches..."
    )
    filter_value = models.CharField(max_length=80, blank=True, help_text="...this value are read.")
    status_column = models.CharField(
        max_length=80,
        blank=True,
        help_text="Optional: the column saying whether a figure is final.",
    )
    provisional_values = models.CharField(
        max_length=200,
        blank=True,
        help_text="Values of that column marking a provisional figure, separated by commas.",
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="mapping_has_indicator",
                condition=~Q(indicator_column="") | Q(fixed_indicator__isnull=False),
            ),
            models.CheckConstraint(
                name="mapping_has_value",
                condition=~Q(value_column="")
                | (~Q(numerator_column="") & ~Q(denominator_column="")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict:
        return {
            "provider": self.provider_column,
            "period": self.period_column,
            "indicator": self.indicator_column,
            "fixed_indicator": self.fixed_indicator.code if self.fixed_indicator_id else "",
            "value": self.value_column,
            "numerator": self.numerator_column,
            "denominator": self.denominator_column,
            "filter_column": self.filter_column,
            "filter_value": self.filter_value,
            "status_column": self.status_column,
            "provisional_values": self.provisional_values,
        }


class ImportBatch(models.Model):
    """One uploaded file and what its import did. The file is kept until it has been read."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting"
        LOADED = "loaded", "Loaded"
        REJECTED = "rejected", "Rejected: errors in the file"
        FAILED = "failed", "Failed"

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="dashboard_import")
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    file_sha256 = models.CharField(max_length=64)
    content = models.BinaryField(null=True, blank=True, editable=False)
    mapping = models.ForeignKey(
        ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mapping_used = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    series_changed = models.PositiveIntegerField(default=0)
    recompute_job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()})"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:import-detail", args=[self.pk])


class PendingUpload(models.Model):
    """A file in one of NHS England's published layouts, waiting for the analyst to confirm what
    it will load (see dashboard.presets). Deleted once confirmed or abandoned."""

    preset = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.preset})"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:import-preview", args=[self.pk])


class ImportRowError(models.Model):
    """One problem with one row of an uploaded file (row 1 is the header)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=80, blank=True)
    value = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["batch", "row_number", "id"]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.message}"


class Observation(models.Model):
    """One provider's value of one indicator for one period (a month, quarter or year).

    The national table holds millions of rows loaded in bulk, so its foreign keys are not
    database constraints: PostgreSQL checks those row by row (10.6 million deferred checks at
    commit took minutes). The import resolves every id from the providers and indicators that
    exist, and deletes stay refused by Django's PROTECT (the ORM checks related rows).
    """

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    period = models.DateField(
        help_text="The first day of the period (month, quarter or year: see the indicator)."
    )
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=120, blank=True)
    provisional = models.BooleanField(
        default=False, help_text="Published as provisional: it may be revised."
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "provider", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "provider", "period"], name="observation_unique"
            ),
            models.CheckConstraint(
                name="observation_denominator_positive",
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="observation_ind_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.provider_id} {self.period:%Y-%m}: {self.value}"


class Rebase(models.Model):
    """A date from which a provider's series is judged afresh (a known change in process)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "indicator", "period"], name="rebase_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Rebase {self.indicator_id} {self.provider_id} from {self.period:%Y-%m}"


class StandardChange(models.Model):
    """A date from which an indicator is measured differently (a standard redefined): every
    provider's series is judged afresh from it, as if each had been rebased."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="standard_changes"
    )
    period = models.DateField(help_text="The first period measured the new way.")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="standardchange_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} redefined from {self.period:%Y-%m}"


class ProviderSuccession(models.Model):
    """One organisation succeeded by another (NHS organisation data service codes): a merger or
    an acquisition. Codes, not providers, so that a deployment can list successions for
    organisations it does not hold; charts show both sides of the change."""

    predecessor = models.CharField("Predecessor's ODS code", max_length=10)
    successor = models.CharField("Successor's ODS code", max_length=10)
    effective = models.DateField(help_text="The first day the successor reports for both.")
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["effective", "predecessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="providersuccession_unique"
            ),
            models.CheckConstraint(
                name="providersuccession_not_itself", condition=~Q(predecessor=F("successor"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} -> {self.successor} from {self.effective:%Y-%m-%d}"


class ProviderContext(models.Model):
    """What a group reads beside the charts: a provider's latest CQC rating (per registered
    location, as CQC publishes them) or its NHS Oversight Framework segment, always dated.
    Keyed by ODS code as published; optional (a deployment loads what it has)."""

    class Kind(models.TextChoices):
        CQC = "cqc", "CQC rating"
        NOF = "nof", "NHS Oversight Framework segment"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    ods_code = models.CharField(max_length=20)
    place = models.CharField(max_length=200, blank=True, help_text="The CQC location, if any.")
    label = models.CharField(max_length=120)
    as_of = models.DateField(help_text="When it was published.")
    source = models.CharField(max_length=200)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "ods_code", "place"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ods_code", "place"], name="providercontext_unique"
            )
        ]
        indexes = [models.Index(fields=["ods_code"], name="providercontext_ods")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ods_code}: {self.label} ({self.as_of})"


class SpcSeries(models.Model):
    """Stored SPC result of one provider x indicator: the summary pages read, and every point.

    `data_revision` rises whenever the series' observations or rebases change;
    `computed_revision` is the data revision the stored result reflects. A recompute writes
    only if the data revision it read is still current (see dashboard.recompute).
    The points are packed into `points` (see dashboard.results.POINT_DTYPE): charts always
    read a whole series, and it keeps a national recompute to one row per series.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    data_revision = models.PositiveIntegerField(default=1)
    computed_revision = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    n_points = models.PositiveIntegerField(default=0)
    first_period = models.DateField(null=True, blank=True)
    latest_period = models.DateField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    latest_numerator = models.FloatField(null=True, blank=True)
    latest_denominator = models.FloatField(null=True, blank=True)
    latest_provisional = models.BooleanField(default=False)
    mean = models.FloatField(null=True, blank=True)
    lpl = models.FloatField(null=True, blank=True)
    upl = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    variation = models.CharField(max_length=20, blank=True)
    assurance = models.CharField(max_length=20, blank=True)
    latest_point_type = models.CharField(max_length=30, blank=True)
    latest_special_cause = models.CharField(max_length=40, blank=True)
    short_group = models.BooleanField(default=False)
    target_missed = models.BooleanField(null=True, blank=True)
    last_concern_period = models.DateField(null=True, blank=True)
    last_concern_label = models.CharField(max_length=40, blank=True)
    groups = models.JSONField(default=list, blank=True)
    points = models.BinaryField(default=b"", blank=True)
    # Peer comparison of the latest value (dashboard.peers)
    peer_period = models.DateField(null=True, blank=True)
    national_value = models.FloatField(null=True, blank=True)
    national_n = models.PositiveIntegerField(null=True, blank=True)
    national_z = models.FloatField(null=True, blank=True)
    national_flag = models.SmallIntegerField(null=True, blank=True)
    peer_value = models.FloatField(null=True, blank=True)
    peer_n = models.PositiveIntegerField(null=True, blank=True)
    peer_z = models.FloatField(null=True, blank=True)
    peer_flag = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["indicator", "provider"]
        verbose_name = "SPC series"
        verbose_name_plural = "SPC series"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "provider"], name="spcseries_unique")
        ]

    def __str__(self) -> str:
        return f"SPC {self.indicator_id} x {self.provider_id} r{self.computed_revision}"

    @property
    def is_current(self) -> bool:
        return self.computed_revision == self.data_revision


class PeerStat(models.Model):
    """Aggregate of one indicator in one month over a group of providers (not sensitive)."""

    NATIONAL = "national"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    group = models.CharField(max_length=20, help_text="national, or a provider sector")
    n = models.PositiveIntegerField()
    value = models.FloatField(help_text="Pooled value (proportions, rates) or mean (measures).")
    sd = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    phi = models.FloatField(
        null=True, blank=True, help_text="Overdispersion of the group's z-scores (1: none)."
    )
    tau2 = models.FloatField(
        null=True, blank=True, help_text="Between-provider variance added to the funnel limits."
    )

    class Meta:
        ordering = ["indicator", "period", "group"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "group"], name="peerstat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period:%Y-%m} {self.group}: {self.value}"
