"""Models, one file per domain noun. Importing this package registers every table."""
from training_app.models.audit import AuditEntry
from training_app.models.base import Base, UTCDateTime, utcnow
from training_app.models.training_class import (
    ClassStatus,
    Qualification,
    TrainingClass,
    TrainingFormat,
    TrainingMode,
)
from training_app.models.unit import Unit, UnitKind
from training_app.models.user import LoginAttempt, Role, User, UserRole

__all__ = [
    "AuditEntry",
    "Base",
    "ClassStatus",
    "LoginAttempt",
    "Qualification",
    "Role",
    "TrainingClass",
    "TrainingFormat",
    "TrainingMode",
    "UTCDateTime",
    "Unit",
    "UnitKind",
    "User",
    "UserRole",
    "utcnow",
]
