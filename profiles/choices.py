"""The fixed vocabularies responders and therapists choose from.

Sets of these choices are stored as bit masks (see profiles.fields.ChoiceSetField): a
choice's bit is its position in the class. Add new choices at the end; never reorder or
remove one without a data migration.
"""

from __future__ import annotations

from django.db import models

from profiles import vocabulary


class Service(models.TextChoices):
    POLICE = "police", "Police / law enforcement"
    FIRE = "fire", "Fire"
    EMS = "ems", "EMS"
    DISPATCH = "dispatch", "911 dispatch / telecommunications"
    CORRECTIONS = "corrections", "Corrections"
    SEARCH_RESCUE = "search_rescue", "Search and rescue"
    EMERGENCY_MANAGEMENT = "emergency_management", "Emergency management"
    OTHER = "other", "Other"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired or separated"


class Concern(models.TextChoices):
    CRITICAL_INCIDENT = "critical_incident", "Critical incident stress"
    TRAUMA = "trauma", "Trauma / PTSD"
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety"
    SLEEP = "sleep", "Sleep"
    SUBSTANCE = "substance", "Alcohol or substance use"
    RELATIONSHIPS = "relationships", "Relationships and family"
    GRIEF = "grief", "Grief and line-of-duty loss"
    MORAL_INJURY = "moral_injury", "Moral injury"
    BURNOUT = "burnout", "Burnout"
    ANGER = "anger", "Anger"
    INJURY_PAIN = "injury_pain", "Injury and chronic pain"
    CAREER = "career", "Career change or retirement"
    OTHER = "other", "Something else"


class Method(models.TextChoices):
    EMDR = "emdr", "EMDR"
    CPT = "cpt", "Cognitive processing therapy (CPT)"
    PE = "pe", "Prolonged exposure (PE)"
    CBT = "cbt", "Cognitive behavioral therapy (CBT)"
    DBT = "dbt", "Dialectical behavior therapy (DBT)"
    ACT = "act", "Acceptance and commitment therapy (ACT)"
    COUPLES = "couples", "Couples work"
    GROUP = "group", "Group therapy"


class TrainingLevel(models.TextChoices):
    TRAINED = "trained", "Trained"
    CERTIFIED = "certified", "Certified"


class Hours(models.TextChoices):
    WEEKDAY_DAYTIME = "weekday_daytime", "Weekday daytime"
    EVENINGS = "evenings", "Evenings"
    WEEKENDS = "weekends", "Weekends"
    EARLY_MORNINGS = "early_mornings", "Early mornings"
    ROTATING_SHIFTS = "rotating_shifts", "Around rotating shifts"


class Format(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth (video or phone)"


class FormatPreference(models.TextChoices):
    EITHER = "either", "Either is fine"
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth (video or phone)"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    CHINESE = "zh", "Chinese (Mandarin or Cantonese)"
    VIETNAMESE = "vi", "Vietnamese"
    TAGALOG = "tl", "Tagalog"
    ARABIC = "ar", "Arabic"
    FRENCH = "fr", "French"
    KOREAN = "ko", "Korean"
    RUSSIAN = "ru", "Russian"
    GERMAN = "de", "German"
    HAITIAN_CREOLE = "ht", "Haitian Creole"
    PORTUGUESE = "pt", "Portuguese"
    POLISH = "pl", "Polish"
    JAPANESE = "ja", "Japanese"
    HINDI = "hi", "Hindi"
    ITALIAN = "it", "Italian"
    ASL = "ase", "American Sign Language"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NONBINARY = "nonbinary", "Non-binary"
    UNDISCLOSED = "undisclosed", "Prefer not to say"


class NewClientContact(models.TextChoices):
    """How a therapist asks new clients to reach them once an intro is accepted."""

    RAPPORT = "rapport", "Messages through Rapport (you are emailed when one is waiting)"
    PHONE = "phone", "By phone"
    BOOKING = "booking", "A booking link"


class Payment(models.TextChoices):
    INSURANCE = "insurance", "Health insurance"
    EAP = "eap", "Agency EAP"
    WORKERS_COMP = "workers_comp", "Workers' compensation"
    SELF_PAY = "self_pay", "Self-pay"


class InsuranceCarrier(models.TextChoices):
    AETNA = "aetna", "Aetna"
    BLUE_CROSS = "blue_cross", "Blue Cross Blue Shield / Anthem"
    CIGNA = "cigna", "Cigna / Evernorth"
    UNITED = "united", "UnitedHealthcare / Optum"
    HUMANA = "humana", "Humana"
    KAISER = "kaiser", "Kaiser Permanente"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    TRICARE = "tricare", "TRICARE"
    OTHER = "other", "Another carrier"


class AgencyWork(models.TextChoices):
    CONTRACTED = "contracted", "Contracted clinician for an agency"
    EMBEDDED = "embedded", "Embedded clinician in an agency"
    PEER_SUPPORT_ADVISOR = "peer_support_advisor", "Clinical advisor to a peer-support team"


class LivedExperience(models.TextChoices):
    OWN_SERVICE = "own_service", "Served as a first responder"
    FAMILY = "family", "A first responder in the family"


class AgencyEvaluation(models.TextChoices):
    FITNESS_FOR_DUTY = "fitness_for_duty", "Fitness-for-duty evaluations"
    PRE_EMPLOYMENT = "pre_employment", "Pre-employment evaluations"
    OTHER = "other", "Other evaluations for agencies"


class LicenseType(models.TextChoices):
    LCSW = "lcsw", "LCSW (clinical social worker)"
    LMFT = "lmft", "LMFT (marriage and family therapist)"
    LPC = "lpc", "LPC / LPCC / LMHC (professional counselor)"
    PSYCHOLOGIST = "psychologist", "Psychologist (PhD / PsyD)"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist (MD / DO)"
    PMHNP = "pmhnp", "Psychiatric nurse practitioner"


class TrainingKind(models.TextChoices):
    CERTIFICATION = "certification", "Responder counseling certification"
    CULTURAL_COURSE = "cultural_course", "Fire-service or law-enforcement culture course"
    RIDE_ALONG = "ride_along", "Ride-along or station hours"
    CRITICAL_INCIDENT = "critical_incident", "Critical incident stress management training"
    OTHER = "other", "Other responder-specific training"


class State(models.TextChoices):
    AL = "AL", "Alabama"
    AK = "AK", "Alaska"
    AZ = "AZ", "Arizona"
    AR = "AR", "Arkansas"
    CA = "CA", "California"
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    DE = "DE", "Delaware"
    DC = "DC", "District of Columbia"
    FL = "FL", "Florida"
    GA = "GA", "Georgia"
    HI = "HI", "Hawaii"
    ID = "ID", "Idaho"
    IL = "IL", "Illinois"
    IN = "IN", "Indiana"
    IA = "IA", "Iowa"
    KS = "KS", "Kansas"
    KY = "KY", "Kentucky"
    LA = "LA", "Louisiana"
    ME = "ME", "Maine"
    MD = "MD", "Maryland"
    MA = "MA", "Massachusetts"
    MI = "MI", "Michigan"
    MN = "MN", "Minnesota"
    MS = "MS", "Mississippi"
    MO = "MO", "Missouri"
    MT = "MT", "Montana"
    NE = "NE", "Nebraska"
    NV = "NV", "Nevada"
    NH = "NH", "New Hampshire"
    NJ = "NJ", "New Jersey"
    NM = "NM", "New Mexico"
    NY = "NY", "New York"
    NC = "NC", "North Carolina"
    ND = "ND", "North Dakota"
    OH = "OH", "Ohio"
    OK = "OK", "Oklahoma"
    OR = "OR", "Oregon"
    PA = "PA", "Pennsylvania"
    RI = "RI", "Rhode Island"
    SC = "SC", "South Carolina"
    SD = "SD", "South Dakota"
    TN = "TN", "Tennessee"
    TX = "TX", "Texas"
    UT = "UT", "Utah"
    VT = "VT", "Vermont"
    VA = "VA", "Virginia"
    WA = "WA", "Washington"
    WV = "WV", "West Virginia"
    WI = "WI", "Wisconsin"
    WY = "WY", "Wyoming"
    PR = "PR", "Puerto Rico"
    GU = "GU", "Guam"
    VI = "VI", "U.S. Virgin Islands"
    AS = "AS", "American Samoa"
    MP = "MP", "Northern Mariana Islands"


# The values and their order are profiles.vocabulary's; these classes add the labels.
for _labelled, _values in (
    (Service, vocabulary.SERVICES),
    (ServiceStatus, vocabulary.SERVICE_STATUSES),
    (Concern, vocabulary.CONCERNS),
    (Method, vocabulary.METHODS),
    (Hours, vocabulary.HOURS),
    (Format, vocabulary.FORMATS),
    (FormatPreference, vocabulary.FORMAT_PREFERENCES),
    (Language, vocabulary.LANGUAGES),
    (Gender, vocabulary.GENDERS),
    (Payment, vocabulary.PAYMENTS),
    (InsuranceCarrier, vocabulary.INSURANCE_CARRIERS),
    (AgencyWork, vocabulary.AGENCY_WORK),
    (LivedExperience, vocabulary.LIVED_EXPERIENCE),
    (AgencyEvaluation, vocabulary.AGENCY_EVALUATIONS),
    (TrainingKind, vocabulary.TRAINING_KINDS),
):
    vocabulary.check_same_order(_labelled.__name__, _labelled.values, _values)
