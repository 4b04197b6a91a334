from django.contrib import admin

from .models import Patent, PatentImport


@admin.register(Patent)
class PatentAdmin(admin.ModelAdmin):
    list_display = ("application_no", "title", "kind", "status", "organization", "filed_on", "granted_on")
    list_filter = ("kind", "status")
    search_fields = ("application_no", "title", "organization__name", "applicants")
    raw_id_fields = ("organization",)
    date_hierarchy = "filed_on"


@admin.register(PatentImport)
class PatentImportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "imported_by", "organization", "created", "updated", "rejected")
    raw_id_fields = ("imported_by", "organization")
    readonly_fields = ("problems",)


# --- ipfinance ---
from .models import (  # noqa: E402
    CaseStep,
    EnforcementCase,
    PledgeFinancing,
    SubsidyClaim,
    SubsidyItem,
    SubsidyPolicy,
)


@admin.register(SubsidyPolicy)
class SubsidyPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "region",
        "year",
        "state",
        "granted_from",
        "granted_until",
        "cap_per_organization",
    )
    list_filter = ("state", "year")
    search_fields = ("name",)
    raw_id_fields = ("region",)


class SubsidyItemInline(admin.TabularInline):
    model = SubsidyItem
    raw_id_fields = ("patent",)
    extra = 0


@admin.register(SubsidyClaim)
class SubsidyClaimAdmin(admin.ModelAdmin):
    list_display = ("pk", "organization", "policy", "state", "amount_claimed", "amount_approved", "paid_on")
    list_filter = ("state",)
    search_fields = ("organization__name", "policy__name")
    raw_id_fields = ("policy", "organization", "decided_by")
    inlines = [SubsidyItemInline]


@admin.register(PledgeFinancing)
class PledgeFinancingAdmin(admin.ModelAdmin):
    list_display = ("organization", "bank", "amount", "starts_on", "ends_on", "state")
    list_filter = ("state",)
    search_fields = ("organization__name", "bank", "contract_no", "registration_no")
    raw_id_fields = ("organization", "patents")


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    raw_id_fields = ("by",)
    extra = 0


@admin.register(EnforcementCase)
class EnforcementCaseAdmin(admin.ModelAdmin):
    list_display = ("case_no", "region", "kind", "state", "outcome", "received_on", "closed_on")
    list_filter = ("kind", "state", "outcome")
    search_fields = ("case_no", "complainant", "respondent", "patent_number")
    raw_id_fields = ("region", "patent", "complainant_organization", "respondent_organization")
    inlines = [CaseStepInline]
