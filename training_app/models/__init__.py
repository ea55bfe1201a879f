"""Models, one file per domain noun. Importing this package registers every table."""
from training_app.models.audit import AuditEntry
from training_app.models.base import Base, UTCDateTime, utcnow
from training_app.models.manual import Manual, ManualChapter, ManualVersion, ReviewStatus
from training_app.models.notice import Notice, NoticeIssuers, NoticeKind, NoticeStatus
from training_app.models.exam import (
    Answer,
    Attempt,
    BankQuestion,
    Exam,
    ExamQuestion,
    ExamStatus,
    QuestionBank,
)
from training_app.models.training_class import (
    ClassSponsor,
    ClassStatus,
    Qualification,
    TrainingClass,
    TrainingFormat,
    TrainingMode,
)
from training_app.models.unit import Unit, UnitKind
from training_app.models.quota import Quota
from training_app.models.trainee_profile import Gender, TraineeProfile
from training_app.models.enrollment import (
    Enrollment,
    EnrollmentMaterial,
    EnrollmentSource,
    EnrollmentStatus,
)
from training_app.models.user import LoginAttempt, Role, User, UserRole
from training_app.models.group import Group, GroupMember
from training_app.models.committee import CommitteeMember, CommitteeRole
from training_app.models.exchange import ExchangeBulletin
from training_app.models.activity import ActKind, ActivityAct
from training_app.models.schedule import LectureMode, ScheduleItem, ScheduleKind, VenueCoordinator
from training_app.models.leave import LeaveRequest, LeaveStatus
from training_app.models.attendance import Attendance, AttendanceMethod, AttendanceStatus
from training_app.models.grading import ExamGrader
from training_app.models.feedback import (
    FeedbackAnswer,
    FeedbackForm,
    FeedbackLectureRating,
    FeedbackQuestion,
    FeedbackQuestionKind,
    FeedbackResponse,
)
from training_app.models.certificate import (  # issue 7
    BatchOrder,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateImage,
    CertificateImageKind,
    CertificateKind,
    CertificateSerialCounter,
    CertificateSettings,
    CertificateState,
    PrintMode,
)
from training_app.models.compliance import ComplianceSnapshot  # issue 9
from training_app.models.completion import (
    CompletionRule,
    NominationSource,
    OutstandingNomination,
    OutstandingTrainee,
)

__all__ = [
    "BatchOrder",
    "BatchStatus",
    "Certificate",
    "CertificateBatch",
    "CertificateDesign",
    "CertificateImage",
    "CertificateImageKind",
    "CertificateKind",
    "CertificateSerialCounter",
    "CertificateSettings",
    "CertificateState",
    "PrintMode",
    "CompletionRule",
    "ComplianceSnapshot",
    "ExamGrader",
    "FeedbackAnswer",
    "FeedbackForm",
    "FeedbackLectureRating",
    "FeedbackQuestion",
    "FeedbackQuestionKind",
    "FeedbackResponse",
    "NominationSource",
    "OutstandingNomination",
    "OutstandingTrainee",
    "ActKind",
    "ActivityAct",
    "Attendance",
    "AttendanceMethod",
    "AttendanceStatus",
    "CommitteeMember",
    "CommitteeRole",
    "ExchangeBulletin",
    "Group",
    "GroupMember",
    "LeaveRequest",
    "LeaveStatus",
    "LectureMode",
    "ScheduleItem",
    "ScheduleKind",
    "VenueCoordinator",
    "Enrollment",
    "EnrollmentMaterial",
    "EnrollmentSource",
    "EnrollmentStatus",
    "Gender",
    "Quota",
    "TraineeProfile",
    "Answer",
    "Attempt",
    "BankQuestion",
    "Exam",
    "ExamQuestion",
    "ExamStatus",
    "QuestionBank",
    "AuditEntry",
    "ClassSponsor",
    "Manual",
    "ManualChapter",
    "ManualVersion",
    "Notice",
    "NoticeIssuers",
    "NoticeKind",
    "NoticeStatus",
    "ReviewStatus",
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
