"""Forms of the profiles app, one module per area; every form is importable from here."""

from profiles.forms.accounts import PSEUDONYM_HELP, PseudonymForm, SignupQuestionsForm
from profiles.forms.editor import (
    EVIDENCE_TYPES,
    PHOTO_TYPES,
    CapacityForm,
    ClinicalForm,
    EvidenceFormMixin,
    ExperienceForm,
    IdentityForm,
    LicenseForm,
    PracticalForm,
    ReopenForm,
    TrainingForm,
)
from profiles.forms.vetting import VettingDecisionForm, VettingQueueFilterForm

__all__ = [
    "EVIDENCE_TYPES",
    "PHOTO_TYPES",
    "PSEUDONYM_HELP",
    "CapacityForm",
    "ClinicalForm",
    "EvidenceFormMixin",
    "ExperienceForm",
    "IdentityForm",
    "LicenseForm",
    "PracticalForm",
    "PseudonymForm",
    "ReopenForm",
    "SignupQuestionsForm",
    "TrainingForm",
    "VettingDecisionForm",
    "VettingQueueFilterForm",
]
